// One HTTP client for every Azure SDK client and credential in the process.
//
// Left to itself each SDK client (SecretClient, KeyClient, CertificateClient) and each credential
// builds its own HttpClient, and with it its own https.Agent: its own keep-alive connections and TLS
// handshakes, per store and per client. Sharing one HttpClient shares its agents, which the SDK keys
// by the request's TLS settings object (@typespec/ts-http-runtime nodeHttpClient getOrCreateAgent);
// trust.ts hands out one such object per CA set, so every store with the same CA set (or none) reuses
// the same pool of connections to the vault and to Entra ID. Connections carry no credential (each
// request has its own Authorization header), and Go's Azure SDK, which ESO uses, shares one transport
// the same way (azcore's default http.Client).
import type { HttpClient, TlsSettings } from '@azure/core-rest-pipeline';
import type { TransportSettings } from './auth.ts';

let shared: Promise<HttpClient> | undefined;

/** The process-wide HttpClient, made on first use (the SDK is imported only when an azurekv store is used). */
function sharedHttpClient(): Promise<HttpClient> {
  shared ??= import('@azure/core-rest-pipeline').then((m) => m.createDefaultHttpClient());
  return shared;
}

/**
 * The SDK transport options for a trust (trust.ts sdkTlsOptions): the shared HttpClient, 2 retries
 * 200 ms → 1 s apart, no extra policies. The provider adds its own timeout and retry count
 * (index.ts); the ACR generator and `evidence` use these as they are.
 */
export async function defaultTransport(tlsOptions: TlsSettings | undefined): Promise<TransportSettings> {
  return {
    tlsOptions,
    retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 },
    additionalPolicies: [],
    httpClient: await sharedHttpClient(),
  };
}
