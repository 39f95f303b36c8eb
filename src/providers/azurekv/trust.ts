// Which CAs the vault and authority connections trust. Verification is never turned off: a store's
// caBundle/caProvider is *added* to Node's default trust (Mozilla roots + NODE_EXTRA_CA_CERTS),
// because setting `ca` on a TLS connection replaces the defaults rather than extending them.
import { getCACertificates } from 'node:tls';
import { ProjectorError } from '../../core/errors.ts';
import type { ProviderHost } from '../provider.ts';
import type { AzureKvConfig } from './store-config.ts';

/** The SDK's TlsSettings subset we use (passed as `tlsOptions` to clients and credentials). */
export interface TrustSettings {
  ca: string[];
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

/** Undefined when the store adds no CA: the SDK then uses Node's defaults, NODE_EXTRA_CA_CERTS included. */
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
  return { ca: [...getCACertificates('default'), ...extra] };
}
