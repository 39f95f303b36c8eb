import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { authorityError, diagnosingCredential, isEndpointsResolutionError, metadataUrl, probeMetadata, type ProbeResult } from '../../../../src/providers/azurekv/authority.ts';
import { classifyError } from '../../../../src/cli/check/classify.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';

const FIX = { authority: '--authority-host', ca: '--ca-file' };
const URL_ = 'https://auth.example/t/v2.0/.well-known/openid-configuration';

describe('authority diagnosis', () => {
  it('builds the OpenID metadata URL MSAL asks for', () => {
    assert.equal(metadataUrl('https://login.example/', 'tenant-1'), 'https://login.example/tenant-1/v2.0/.well-known/openid-configuration');
  });

  it('gives three different messages, each naming the URL and the fix, with the check outcome they mean', () => {
    const cases: [ProbeResult, string, RegExp, string][] = [
      [{ kind: 'network', code: 'ECONNREFUSED' }, 'VaultUnavailable', /^token authority unreachable: nothing answered at https:\/\/auth\.example\/t\/v2\.0\/\.well-known\/openid-configuration \(ECONNREFUSED\); check --authority-host/, 'unreachable'],
      [{ kind: 'tls', code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'VaultUnavailable', /^token authority not trusted: the certificate served at https:\/\/auth\.example\/.* failed verification \(SELF_SIGNED_CERT_IN_CHAIN\); give the CA that signed it with --ca-file$/, 'unreachable'],
      [{ kind: 'http', status: 404 }, 'StoreAuthFailed', /^token authority serves no OpenID metadata: https:\/\/auth\.example\/.* answered 404; --authority-host must be the authority's base URL/, 'error'],
      [{ kind: 'not-metadata' }, 'StoreAuthFailed', /^token authority serves no OpenID metadata: .* \(no token_endpoint\); --authority-host/, 'error'],
    ];
    for (const [result, code, message, outcome] of cases) {
      const e = authorityError(result, URL_, FIX)!;
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.equal(classifyError(e).outcome, outcome, result.kind);
    }
    assert.equal(authorityError({ kind: 'ok' }, URL_, FIX), undefined);
  });

  it('recognises MSAL endpoints_resolution_error anywhere in a cause chain', () => {
    const e = new Error('outer', { cause: new Error('endpoints_resolution_error: See https://aka.ms') });
    assert.ok(isEndpointsResolutionError(e));
    assert.ok(!isEndpointsResolutionError(new Error('invalid_client')));
  });

  it('replaces endpoints_resolution_error by the probe diagnosis, once per failure; other failures pass unchanged', async () => {
    const probed: string[] = [];
    const failing = (err: Error) => ({ getToken: async () => Promise.reject(err) });
    const probe = async (url: string): Promise<ProbeResult> => {
      probed.push(url);
      return { kind: 'network', code: 'ECONNREFUSED' };
    };
    const ctx = { authorityHost: 'https://auth.example', tenantId: 't', fix: FIX };
    const diagnosed = diagnosingCredential(failing(Object.assign(new Error('endpoints_resolution_error'), { name: 'CredentialUnavailableError' })), ctx, probe);
    const e = await diagnosed.getToken('scope').catch((x: unknown) => x);
    assert.ok(e instanceof ProjectorError);
    assert.match(e.message, /token authority unreachable/);
    assert.deepEqual(probed, [URL_]);
    const other = new Error('invalid_client');
    assert.equal(await diagnosingCredential(failing(other), ctx, probe).getToken('scope').catch((x: unknown) => x), other);
    assert.equal(probed.length, 1);
  });

  it('probes a real server: 404, a non-JSON 200, metadata, and a closed port', async () => {
    const server = createHttpServer((req, res) => {
      if (req.url === '/ok') return res.end(JSON.stringify({ token_endpoint: 'x' }));
      if (req.url === '/html') return res.end('<html>');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      assert.deepEqual(await probeMetadata(`${base}/ok`, undefined), { kind: 'ok' });
      assert.deepEqual(await probeMetadata(`${base}/html`, undefined), { kind: 'not-metadata' });
      assert.deepEqual(await probeMetadata(`${base}/missing`, undefined), { kind: 'http', status: 404 });
    } finally {
      server.close();
    }
    assert.deepEqual(await probeMetadata('http://127.0.0.1:1/x', undefined), { kind: 'network', code: 'ECONNREFUSED' });
  });
});
