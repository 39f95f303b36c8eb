// The validating webhook's answer (controller/admission-webhook.ts reviewResponse over
// core/admission.ts) and `projector validate` (cli/commands/validate.ts analyse) give the same
// verdict on every case of test/support/admission-cases.ts: the same refused fields with the same
// text, and the same admitted objects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providerStoreChecks, reviewResponse, WEBHOOK_PATHS } from '../../../src/controller/admission-webhook.ts';
import { judgeAdmission, type AdmissionKind } from '../../../src/core/admission.ts';
import { defaultRegistry } from '../../../src/cli/default-registry.ts';
import { BAD, GOOD, validateFindings, type Obj } from '../../support/admission-cases.ts';

const storeChecks = providerStoreChecks(defaultRegistry());

interface Answer {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
}

function webhook(object: Obj, operation = 'CREATE', apiVersion = 'admission.k8s.io/v1'): Answer {
  const review = {
    apiVersion,
    kind: 'AdmissionReview',
    request: { uid: 'u-1', kind: { group: 'external-secrets.io', version: 'v1', kind: object.kind }, operation, name: object.metadata.name, namespace: object.metadata.namespace, object },
  };
  const out = reviewResponse(object.kind as AdmissionKind, review, storeChecks) as { apiVersion: string; kind: string; response: Answer };
  assert.equal(out.apiVersion, apiVersion);
  assert.equal(out.kind, 'AdmissionReview');
  assert.equal(out.response.uid, 'u-1');
  return out.response;
}

/** The paths each side refuses (validate: errors other than NotSupported, which the webhook admits with a warning). */
function refusedPaths(object: Obj): { validate: string[]; webhook: string[] } {
  const validate = validateFindings(object).filter((f) => f.severity === 'error' && f.code !== 'NotSupported').map((f) => f.path);
  const verdict = judgeAdmission(object.kind as AdmissionKind, object, 'CREATE', storeChecks);
  return { validate: [...new Set(validate)].sort(), webhook: [...new Set(verdict.errors.map((e) => e.path))].sort() };
}

describe('admission webhook and `projector validate` agree', () => {
  for (const c of BAD) {
    it(`both refuse ${c.name}`, () => {
      const findings = validateFindings(c.object);
      assert.ok(findings.some((f) => f.severity === 'error' && f.path === c.path && f.message.startsWith(c.text)), `validate: ${JSON.stringify(findings)}`);
      const answer = webhook(c.object);
      assert.equal(answer.allowed, false);
      assert.equal(answer.status?.code, 403);
      assert.equal(answer.status?.reason, 'Forbidden');
      assert.ok(answer.status?.message.includes(`${c.path}: ${c.text}`), `webhook: ${answer.status?.message}`);
      const refused = refusedPaths(c.object);
      assert.deepEqual(refused.webhook, refused.validate);
    });
  }

  for (const g of GOOD) {
    it(`both admit ${g.object.kind} ${g.object.metadata.name}`, () => {
      const answer = webhook(g.object);
      assert.equal(answer.allowed, true, answer.status?.message);
      assert.equal(answer.status, undefined);
      assert.deepEqual(refusedPaths(g.object), { validate: [], webhook: [] });
      if (g.warns) {
        assert.ok(answer.warnings?.some((w) => w.startsWith(`${g.warns}: `)), `webhook warnings: ${JSON.stringify(answer.warnings)}`);
        assert.ok(validateFindings(g.object).some((f) => f.path === g.warns), 'validate reports it too');
      } else if (g.warnsText) {
        assert.deepEqual(answer.warnings, [g.warnsText]);
        assert.ok(validateFindings(g.object).some((f) => f.severity === 'warning' && f.message === g.warnsText), 'validate reports it too');
      } else {
        assert.equal(answer.warnings, undefined);
      }
    });
  }

  // ESO apis/externalsecrets/v1/secretstore_validator.go validateStore: after the provider's own
  // ValidateStore warnings, warnStoreUnmaintained for a NotMaintained provider (providers/v1/fake
  // MaintenanceStatus), on CREATE and UPDATE; the annotation external-secrets.io/ignore-maintenance-checks
  // is read only by its store controller's event (pkg/controllers/secretstore/common.go), never here.
  it("warns of a store of an unmaintained provider with ESO's text, annotated or not; a maintained provider's store gets none", () => {
    const want = "store fake-store isn't currently maintained. Please plan and prepare accordingly.";
    for (const kind of ['SecretStore', 'ClusterSecretStore'] as const) {
      const store: Obj = { apiVersion: 'external-secrets.io/v1', kind, metadata: { name: 'fake-store', ...(kind === 'SecretStore' && { namespace: 'admission' }) }, spec: { provider: { fake: { data: [] } } } };
      for (const operation of ['CREATE', 'UPDATE']) {
        const answer = webhook(store, operation);
        assert.equal(answer.allowed, true);
        assert.deepEqual(answer.warnings, [want], `${kind} ${operation}`);
      }
      const annotated = { ...store, metadata: { ...store.metadata, annotations: { 'external-secrets.io/ignore-maintenance-checks': 'true' } } } as Obj;
      assert.deepEqual(webhook(annotated).warnings, [want], `${kind} annotated`);
      assert.deepEqual(webhook(store, 'DELETE').warnings, undefined, 'ESO ValidateDelete returns no warnings');
    }
    const akvStore = GOOD.find((g) => g.object.metadata.name === 'good-akv')!.object;
    assert.equal(webhook(akvStore).warnings, undefined);
  });

  it('lists every refused field in one message, as ESO joins its errors', () => {
    const object = { ...BAD[3]!.object, spec: { ...BAD[3]!.object.spec, dataFrom: [{ find: { name: { regexp: '(' } } }] } };
    const message = webhook(object).status!.message;
    assert.match(message, /^ExternalSecret admission\/dup-key is invalid: /);
    assert.ok(message.includes('spec.data[1].secretKey: ') && message.includes('spec.dataFrom[0].find.name.regexp: '), message);
  });

  it('admits deletes, and updates of an object being deleted (its finalizers must still come off)', () => {
    const bad = BAD[0]!.object;
    assert.equal(webhook(bad, 'DELETE').allowed, true);
    assert.equal(webhook(bad, 'UPDATE').allowed, false);
    assert.equal(webhook({ ...bad, metadata: { ...bad.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } as Obj['metadata'] }, 'UPDATE').allowed, true);
  });

  it('answers v1beta1 reviews in v1beta1, and refuses a kind sent to another kind\'s path', () => {
    assert.equal(webhook(BAD[0]!.object, 'CREATE', 'admission.k8s.io/v1beta1').allowed, false);
    const store = GOOD.find((g) => g.object.kind === 'ClusterSecretStore')!.object;
    const out = reviewResponse('ExternalSecret', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: { kind: 'ClusterSecretStore' }, operation: 'CREATE', object: store } }, storeChecks) as { response: Answer };
    assert.equal(out.response.allowed, false);
    assert.match(out.response.status!.message, /validates ExternalSecret objects, not ClusterSecretStore/);
  });

  it('serves ESO\'s three paths', () => {
    assert.deepEqual(Object.keys(WEBHOOK_PATHS).sort(), [
      '/validate-external-secrets-io-v1-clustersecretstore',
      '/validate-external-secrets-io-v1-externalsecret',
      '/validate-external-secrets-io-v1-secretstore',
    ]);
  });
});

describe('webhook flags (config.ts)', () => {
  it('is off by default; --webhook-addr turns it on with ESO\'s cert dir and TLS 1.2; an unknown --tls-min-version is refused', async () => {
    const { operatorConfig } = await import('../../../src/config.ts');
    assert.equal(operatorConfig({}, {}).webhook, undefined);
    assert.equal(operatorConfig({ webhookAddr: '0' }, {}).webhook, undefined);
    assert.deepEqual(operatorConfig({ webhookAddr: ':10250' }, {}).webhook, { addr: ':10250', certDir: '/tmp/k8s-webhook-server/serving-certs', minVersion: 'TLSv1.2' });
    assert.deepEqual(operatorConfig({ certDir: '/certs', tlsMinVersion: '1.3' }, { PROJECTOR_WEBHOOK_ADDR: '127.0.0.1:9443' }).webhook, { addr: '127.0.0.1:9443', certDir: '/certs', minVersion: 'TLSv1.3' });
    assert.throws(() => operatorConfig({ webhookAddr: ':10250', tlsMinVersion: '1.4' }, {}), /--tls-min-version must be one of 1\.0, 1\.1, 1\.2, 1\.3/);
  });
});
