// Which CAs the vault and authority connections trust. Verification is never turned off: a store's
// caBundle/caProvider is *added* to Node's default trust (Mozilla roots + NODE_EXTRA_CA_CERTS),
// because setting `ca` on a TLS connection replaces the defaults rather than extending them.
//
// Memory: a TLS connection given `ca` builds its own SecureContext (tls.connect calls
// tls.createSecureContext per connection), parsing every root CA into a fresh X509 store:
// ~1.2 MB of native memory per connection with Node 24's 265 roots, which V8 does not see (its GC
// is not prompted) and glibc rarely returns once freed. The SDK keeps keep-alive sockets, so in
// normal operation that cost is paid per new socket; while the vault is down every retry opens a
// new socket, and RSS grew by ~0.8 MB per refused connection (bench/soak.ts). So the context is
// built once per distinct CA set and handed to every connection as `secureContext`.
import { createHash } from 'node:crypto';
import tls, { getCACertificates, type SecureContext } from 'node:tls';
import type { TlsSettings } from '@azure/core-rest-pipeline';
import { ProjectorError } from '../../core/errors.ts';
import type { ProviderHost } from '../provider.ts';
import type { AzureKvConfig } from './store-config.ts';

/**
 * What reaches the SDK as `tlsOptions` of clients and credentials. The SDK's Node HTTP client
 * spreads tlsOptions into the options of the https.Agent it creates per tlsOptions object
 * (@typespec/ts-http-runtime nodeHttpClient getOrCreateAgent), and the agent passes its options to
 * tls.connect, which uses a given `secureContext` instead of building one
 * (node:tls connect: `options.secureContext || tls.createSecureContext(options)`). The SDK's
 * TlsSettings type does not list `secureContext`; the store's clients pass this object through
 * `sdkTlsOptions`.
 */
export interface TrustSettings {
  readonly secureContext: SecureContext;
}

/** `trust` as the SDK's `tlsOptions` (see TrustSettings for why the SDK type does not list it). */
export function sdkTlsOptions(trust: TrustSettings | undefined): TlsSettings | undefined {
  return trust as unknown as TlsSettings | undefined;
}

/** Distinct CA sets kept; a store whose set was evicted keeps its context through its clients. */
const MAX_TRUST_SETS = 32;
const trustSets = new Map<string, TrustSettings>();

/**
 * The one TrustSettings for default roots + `extraPems` in this process: built on the first call
 * for a set (one SecureContext, ~1.2 MB native) and returned unchanged for the same set after.
 * The key is a SHA-256 of the PEMs, in order; a set's text is not kept here.
 */
export function trustFor(extraPems: readonly string[]): TrustSettings {
  const hash = createHash('sha256');
  for (const pem of extraPems) hash.update(pem).update('\0');
  const key = hash.digest('hex');
  const hit = trustSets.get(key);
  if (hit) {
    // Most recently used last, so eviction drops the set unused for longest.
    trustSets.delete(key);
    trustSets.set(key, hit);
    return hit;
  }
  // Through the module object (not a named import) so it stays one call site a test can observe.
  const settings: TrustSettings = { secureContext: tls.createSecureContext({ ca: [...getCACertificates('default'), ...extraPems] }) };
  trustSets.set(key, settings);
  if (trustSets.size > MAX_TRUST_SETS) trustSets.delete(trustSets.keys().next().value!);
  return settings;
}

async function readCaProvider(config: AzureKvConfig, host: ProviderHost, signal: AbortSignal): Promise<string | undefined> {
  const cp = config.caProvider;
  if (!cp) return undefined;
  if (cp.type === 'Secret') {
    return (await host.readSecretKey({ name: cp.name, key: cp.key, namespace: cp.namespace }, signal)).reveal();
  }
  if (!host.readConfigMapKey) {
    throw new ProjectorError('NotSupported', 'this host cannot read ConfigMaps, so spec.provider.azurekv.caProvider.type ConfigMap is unavailable here', {
      field: 'spec.provider.azurekv.caProvider',
    });
  }
  return host.readConfigMapKey({ name: cp.name, key: cp.key, namespace: cp.namespace }, signal);
}

/**
 * Undefined when the store adds no CA: the SDK then uses Node's defaults, NODE_EXTRA_CA_CERTS
 * included (a connection without `ca` shares Node's root store, no per-connection parsing).
 * Otherwise the process-wide TrustSettings of default roots + the store's CA (see trustFor).
 * Throws InvalidSpec when the CA holds no PEM certificate.
 */
export async function resolveTrust(config: AzureKvConfig, host: ProviderHost, signal: AbortSignal): Promise<TrustSettings | undefined> {
  const extra = [config.caBundlePem, await readCaProvider(config, host, signal)].filter((pem): pem is string => !!pem);
  if (extra.length === 0) return undefined;
  for (const pem of extra) {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ProjectorError('InvalidSpec', 'the CA from spec.provider.azurekv.caBundle/caProvider holds no PEM certificate', {
        field: 'spec.provider.azurekv.caProvider',
      });
    }
  }
  return trustFor(extra);
}
