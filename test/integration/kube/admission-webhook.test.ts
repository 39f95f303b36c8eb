// The optional validating webhook on a real API server: `projector operator --webhook-addr` serves it
// over TLS on loopback with a certificate from --cert-dir; the webhooks of
// deploy/components/admission-webhook are registered with clientConfig.url pointing there and the test
// CA as caBundle. Objects the CRDs' CEL rules admit but `projector validate` refuses
// (test/support/admission-cases.ts) are applied through the API server: each is refused with the
// field and the text validate prints; the good ones are created. A new certificate written into the
// cert dir is served without a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { freePorts, startControlPlane, type ControlPlane } from '../../support/controlplane.ts';
import { Cluster, readYamlDocs } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';
import { testCa, testServerCertificate, type TestCa } from '../../support/certificates.ts';
import { OperatorProcess } from '../../support/operator-process.ts';
import { BAD, GOOD, NS, STORE, type Obj } from '../../support/admission-cases.ts';

const group = 'external-secrets.io';
const root = new URL('../../../', import.meta.url).pathname;

function plural(kind: string): string {
  return kind === 'ExternalSecret' ? 'externalsecrets' : kind === 'SecretStore' ? 'secretstores' : 'clustersecretstores';
}

/** Writes tls.crt and tls.key as a Secret volume update does: new files renamed into place. */
function writeKeyPair(dir: string, pair: { certPem: string; keyPem: string }): void {
  for (const [name, text] of [['tls.key', pair.keyPem], ['tls.crt', pair.certPem]] as const) {
    writeFileSync(join(dir, `.${name}.tmp`), text, { mode: 0o600 });
    renameSync(join(dir, `.${name}.tmp`), join(dir, name));
  }
}

/** The SHA-256 fingerprint of the certificate the server presents. */
function servedFingerprint(port: number, ca: TestCa): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: ca.certPem, servername: 'localhost' }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', reject);
  });
}

describe('validating admission webhook served by the operator', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let k: Cluster;
  let operator: OperatorProcess;
  let port: number;
  let certDir: string;
  let ca: TestCa;

  before(async () => {
    cp = await startControlPlane();
    k = new Cluster(cp.admin);
    await k.installCrds();
    await k.namespace(NS);
    await k.apply([STORE as any]);
    ca = testCa();
    certDir = mkdtempSync(join(tmpdir(), 'projector-webhook-certs-'));
    writeKeyPair(certDir, testServerCertificate(ca));
    [port] = (await freePorts(1)) as [number];
    operator = OperatorProcess.start({ kubeconfigPath: cp.kubeconfigPath, name: 'webhook', args: ['--webhook-addr', `127.0.0.1:${port}`, '--cert-dir', certDir] });
    await eventually(() => servedFingerprint(port, ca), (fp) => typeof fp === 'string' && fp.length > 0, { timeoutMs: 60_000, message: 'webhook serving TLS' });
    // The shipped webhooks, pointed at the loopback server (the API server runs on this host).
    const [config] = readYamlDocs(join(root, 'deploy/components/admission-webhook/validatingwebhookconfiguration.yaml')) as any[];
    for (const w of config.webhooks) {
      w.clientConfig = { url: `https://127.0.0.1:${port}${w.clientConfig.service.path}`, caBundle: Buffer.from(ca.certPem).toString('base64') };
    }
    await k.apply([config]);
  });
  after(async () => {
    await operator?.stop();
    await cp?.stop();
  });

  async function create(o: Obj): Promise<{ status: number; message: string }> {
    const path = `/apis/${group}/v1${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ''}/${plural(o.kind)}`;
    const r = await k.request('POST', path, o);
    return { status: r.status, message: r.status >= 300 ? (JSON.parse(r.body) as { message: string }).message : '' };
  }

  it('refuses, through the API server, each object validate refuses', async () => {
    // The API server picks the configuration up asynchronously: wait for the first refusal.
    await eventually(() => create(BAD[0]!.object), (r) => r.status === 403, { timeoutMs: 30_000, message: 'webhook registered' });
    for (const c of BAD) {
      const api = await create(c.object);
      assert.equal(api.status, 403, `${c.name}: ${api.status} ${api.message}`);
      assert.ok(api.message.includes(`admission webhook "validate.${c.object.kind.toLowerCase()}.external-secrets.io" denied the request`), `${c.name}: ${api.message}`);
      assert.ok(api.message.includes(`${c.path}: ${c.text}`), `${c.name}: the API server says "${c.path}: ${c.text}": ${api.message}`);
    }
  });

  it('admits the objects validate admits (NotSupported features with a warning)', async () => {
    for (const g of GOOD) {
      const api = await create(g.object);
      assert.equal(api.status, 201, `${g.object.metadata.name}: ${api.message}`);
    }
  });

  it('refuses an update that makes an object invalid, and admits its delete', async () => {
    const good = GOOD[0]!.object;
    const path = `/apis/${group}/v1/namespaces/${NS}/externalsecrets/${good.metadata.name}`;
    const patch = await k.request('PATCH', path, { spec: { dataFrom: [{ find: { name: { regexp: '(' } } }] } }, 'application/merge-patch+json');
    assert.equal(patch.status, 403, patch.body);
    assert.match(patch.body, /spec\.dataFrom\[0\]\.find\.name\.regexp: not a valid Go \(RE2\) regular expression/);
    const del = await k.request('DELETE', path);
    assert.equal(del.status, 200, del.body);
  });

  it('serves a renewed certificate from the cert dir without a restart', async () => {
    const before = await servedFingerprint(port, ca);
    const renewed = testServerCertificate(ca);
    writeKeyPair(certDir, renewed);
    const expected = new X509Certificate(renewed.certPem).fingerprint256;
    assert.notEqual(expected, before);
    await eventually(() => servedFingerprint(port, ca), expected, { timeoutMs: 30_000, message: 'renewed certificate served' });
    const api = await create(BAD[1]!.object);
    assert.equal(api.status, 403, api.message);
    assert.equal(operator.running, true);
  });
});
