// The azurekv store check (AzureKvSecretsClient.validate: list one secret) through the real
// @azure/keyvault-secrets SecretClient with an in-memory HTTP client. ESO's Validate asks the vault
// nothing (keyvault.go); Projector's check asks, and a 403 for the list only means the identity may
// not list (it may still get), so the store is Ready, unless the 403 comes from the vault's network
// rules (Key Vault's inner codes ForbiddenByFirewall, ForbiddenByConnection): then nothing would sync.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretClient } from '@azure/keyvault-secrets';
import { createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { AzureKvSecretsClient } from '../../../../src/providers/azurekv/client.ts';
import { surfaceVaultRefusalsPolicy } from '../../../../src/providers/azurekv/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { silentLogger } from '../../../../src/platform/logger.ts';

const VAULT = 'https://v.vault.azure.net';

function clientAnswering(status: number, body: unknown): AzureKvSecretsClient {
  const httpClient: HttpClient = {
    async sendRequest(request) {
      return { request, status, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText: JSON.stringify(body) };
    },
  };
  const secretClient = new SecretClient(VAULT, { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) }, {
    retryOptions: { maxRetries: 0 },
    httpClient,
    // As newAzureKvClient sets it: the paged list call's error drops the body's inner code.
    additionalPolicies: [{ policy: surfaceVaultRefusalsPolicy(`${VAULT}/`, () => new Date()), position: 'perRetry' }],
  });
  return new AzureKvSecretsClient({ secretClient, vaultUrl: `${VAULT}/`, log: silentLogger() });
}

const forbidden = (inner: string, message: string) => ({ error: { code: 'Forbidden', message, innererror: { code: inner } } });
const signal = new AbortController().signal;

describe('azurekv store check', () => {
  it('is Ready when the vault lists, or refuses the list for want of a permission', async () => {
    // The paged list's RestError has the outer code only: the permission message, not the network one.
    assert.equal(await clientAnswering(200, { value: [], nextLink: null }).validate(signal), 'Ready');
    assert.equal(await clientAnswering(403, forbidden('ForbiddenByPolicy', "The user, group or application does not have secrets list permission")).validate(signal), 'Ready');
    assert.equal(await clientAnswering(403, forbidden('ForbiddenByRbac', 'Caller is not authorized to perform action on resource')).validate(signal), 'Ready');
  });

  for (const [inner, message] of [
    ['ForbiddenByFirewall', 'Client address is not authorized and caller is not a trusted service.'],
    ['ForbiddenByConnection', 'Public network access is disabled and request is not from a trusted service nor via an approved private link.'],
  ] as const) {
    it(`fails when the vault's network rules refuse the operator (${inner}), naming the fix`, async () => {
      const err = await clientAnswering(403, forbidden(inner, message)).validate(signal).then(
        () => assert.fail('a network refusal must not make the store Ready'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ProjectorError);
      assert.equal(err.code, 'VaultForbidden');
      assert.equal(err.details.remoteCode, inner);
      assert.match(err.message, new RegExp(`^vault https://v\\.vault\\.azure\\.net/ refused the operator's network address \\(403 Forbidden/${inner}\\); allow it in the vault's firewall`));
    });
  }
});
