// Test builders: real manifests in, named tweaks on top (no index-based tweaks).
import type { ExternalSecret, GenericStore } from '../../src/api/index.ts';
import { Sensitive } from '../../src/core/sensitive.ts';
import type { SecretBytes } from '../../src/providers/provider.ts';

export function externalSecret(overrides: Partial<ExternalSecret['spec']> = {}, meta: Partial<ExternalSecret['metadata']> = {}): ExternalSecret {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'netbox-db-password', namespace: 'netbox', uid: 'uid-es-1', generation: 1, ...meta },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'akv-hybridops' },
      target: { name: 'netbox-db-credentials', creationPolicy: 'Owner' },
      data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'netbox-db-password' } }],
      ...overrides,
    },
  };
}

export function fakeStore(data: { key: string; value: string; version?: string }[], kind: GenericStore['kind'] = 'ClusterSecretStore', namespace?: string): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: { name: 'akv-hybridops', namespace, uid: 'uid-store-1', generation: 1 },
    spec: { provider: { fake: { data } } },
  };
}

export function bytes(s: string): SecretBytes {
  return new Sensitive(new Uint8Array(Buffer.from(s, 'utf8')));
}

export function fetched(values: Record<string, string>): Map<string, SecretBytes> {
  return new Map(Object.entries(values).map(([k, v]) => [k, bytes(v)]));
}

export function text(b: SecretBytes | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b.reveal()).toString('utf8');
}
