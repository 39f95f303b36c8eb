// A 200 from the vault whose body is cut short, not JSON, or JSON of the wrong shape, through the real
// @azure/keyvault-secrets SecretClient (its deserializer and model conversion) with an in-memory HTTP
// client standing in for the network: every such answer is a transient VaultUnavailable (cause
// bad-response, retried with backoff), and no message carries the body.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretClient } from '@azure/keyvault-secrets';
import { createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { AzureKvSecretsClient, type VaultReadLimiter } from '../../../../src/providers/azurekv/client.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { resultFor } from '../../../../src/controller/reconciler.ts';
import { MAX_RETRY_AFTER_MS, MIN_THROTTLE_PAUSE_MS } from '../../../../src/core/limits.ts';
import { silentLogger } from '../../../../src/platform/logger.ts';

const CANARY = 'canary-bad-body-5d1e';
const VAULT = 'https://v.vault.azure.net';
const GOOD = JSON.stringify({ value: CANARY, id: `${VAULT}/secrets/db/0123456789abcdef0123456789abcdef`, attributes: { enabled: true } });

/** [what, content-type, body]: what a proxy, a cut connection or a broken vault may hand back. */
const MANGLED: [string, string, string][] = [
  ['truncated JSON', 'application/json', GOOD.slice(0, 40)],
  ['an HTML error page sent as JSON', 'application/json', `<html>${CANARY}</html>`],
  ['an HTML error page', 'text/html', `<html>${CANARY}</html>`],
  ['an empty body', 'application/json', ''],
  ['null', 'application/json', 'null'],
  ['an array', 'application/json', `["${CANARY}"]`],
  ['a string', 'application/json', `"${CANARY}"`],
  ['an empty object', 'application/json', '{}'],
  ['fields of the wrong types', 'application/json', `{"value":"${CANARY}","id":7,"attributes":"x"}`],
];

function clientAnswering(contentType: string, body: string, status = 200, extraHeaders: Record<string, string> = {}, limiter?: VaultReadLimiter): AzureKvSecretsClient {
  const httpClient: HttpClient = {
    async sendRequest(request) {
      return { request, status, headers: createHttpHeaders({ 'content-type': contentType, ...extraHeaders }), bodyAsText: body };
    },
  };
  const secretClient = new SecretClient(VAULT, { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) }, {
    retryOptions: { maxRetries: 0 },
    httpClient,
  });
  return new AzureKvSecretsClient({ secretClient, vaultUrl: `${VAULT}/`, log: silentLogger(), limiter });
}

const signal = new AbortController().signal;

describe('AzureKvSecretsClient on a mangled 200', () => {
  for (const [what, contentType, body] of MANGLED) {
    it(`reports ${what} as a transient bad response, retried with backoff, without the body`, async () => {
      const err = await clientAnswering(contentType, body).getSecret({ key: 'db' }, signal).then(
        () => assert.fail('a mangled body must not read as a value'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ProjectorError, `a ProjectorError, got ${(err as Error)?.name}`);
      assert.equal(err.code, 'VaultUnavailable');
      assert.equal(err.details.cause, 'bad-response');
      assert.deepEqual(resultFor(err), { kind: 'retry', error: 'VaultUnavailable' });
      assert.match(err.describe(), /^VaultUnavailable: vault https:\/\/v\.vault\.azure\.net\/ .*not a Key Vault response while reading secret "db" .*retrying with backoff$/);
      assert.ok(!err.describe().includes(CANARY) && !JSON.stringify(err.details).includes(CANARY), 'the body never reaches the message');
    });
  }

  it('pauses the vault at least MIN_THROTTLE_PAUSE_MS on a 429 with Retry-After: 0, and as asked above it', async () => {
    for (const [retryAfter, expected] of [['0', MIN_THROTTLE_PAUSE_MS], ['1', MIN_THROTTLE_PAUSE_MS], ['7', 7_000], ['99999999', MAX_RETRY_AFTER_MS]] as const) {
      const pauses: number[] = [];
      const limiter: VaultReadLimiter = { acquire: async () => {}, pause: (_vault, ms) => void pauses.push(ms) };
      const body = JSON.stringify({ error: { code: 'Throttled', message: 'slow down' } });
      const err = await clientAnswering('application/json', body, 429, { 'retry-after': retryAfter }, limiter).getSecret({ key: 'db' }, signal).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ProjectorError && err.code === 'VaultThrottled', `429 Retry-After ${retryAfter}`);
      assert.deepEqual(pauses, [expected], `429 Retry-After ${retryAfter}`);
    }
  });

  it('reads a well-formed 200 (the stand-in is faithful)', async () => {
    const v = await clientAnswering('application/json', GOOD).getSecret({ key: 'db' }, signal);
    assert.equal(Buffer.from(v.reveal()).toString(), CANARY);
  });
});
