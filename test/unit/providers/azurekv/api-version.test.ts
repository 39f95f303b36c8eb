import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_API_VERSION, apiVersionIssues, storeApiVersion, withApiVersion } from '../../../../src/providers/azurekv/api-version.ts';
import { resolveStoreConfig } from '../../../../src/providers/azurekv/store-config.ts';
import type { GenericStore } from '../../../../src/api/index.ts';

function store(annotations?: Record<string, string>): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 's', ...(annotations && { annotations }) },
    spec: { provider: { azurekv: { vaultUrl: 'https://v.vault.azure.net/', authType: 'ManagedIdentity' } } },
  } as GenericStore;
}

describe('azurekv api-version', () => {
  it('pins the api-version on a first page (the SDK spells it api%2Dversion) and on a nextLink, keeping the rest', () => {
    assert.equal(withApiVersion('https://v/secrets?api%2Dversion=2026-04-01&maxresults=25', '7.0'), 'https://v/secrets?api-version=7.0&maxresults=25');
    // A nextLink naming another version (or none) still goes out with the store's.
    assert.equal(
      withApiVersion('https://v:443/secrets?api-version=7.4&$skiptoken=eyJ9&maxresults=25', '7.0'),
      'https://v:443/secrets?api-version=7.0&$skiptoken=eyJ9&maxresults=25',
    );
    assert.equal(withApiVersion('https://v/secrets?$skiptoken=abc', '2016-10-01'), 'https://v/secrets?api-version=2016-10-01&$skiptoken=abc');
    assert.equal(withApiVersion('https://v/secrets/x', '7.0'), 'https://v/secrets/x?api-version=7.0');
    assert.equal(withApiVersion('https://v/secrets/x?API-VERSION=7.6&api-version=7.5', '7.0'), 'https://v/secrets/x?api-version=7.0');
  });

  it('accepts both spellings of Key Vault api-versions and names the field otherwise', () => {
    for (const ok of ['7.0', '7.4', '7.6-preview.2', '7.3-preview', '2016-10-01', '2025-07-01', '2026-04-01']) assert.deepEqual(apiVersionIssues(ok, '--api-version'), [], ok);
    for (const bad of ['', 'latest', '7', 'v7.4', '7.4;x', '2025-7-1']) {
      const [i] = apiVersionIssues(bad, '--api-version');
      assert.equal(i?.code, 'InvalidValue', bad);
      assert.match(i!.message, /^--api-version must be a Key Vault REST api-version such as 7\.0/);
    }
  });

  it('reads the store annotation (trimmed) into the config; absent means the SDK default', () => {
    assert.equal(resolveStoreConfig(store({ [ANNOTATION_API_VERSION]: ' 7.0 ' })).config?.apiVersion, '7.0');
    assert.equal(resolveStoreConfig(store()).config?.apiVersion, undefined);
    assert.deepEqual(storeApiVersion(store({ other: 'x' })), { issues: [] });
    const bad = resolveStoreConfig(store({ [ANNOTATION_API_VERSION]: 'newest' }));
    assert.deepEqual(bad.issues.map((i) => i.path), [`metadata.annotations["${ANNOTATION_API_VERSION}"]`]);
    assert.equal(bad.config?.apiVersion, undefined);
  });
});
