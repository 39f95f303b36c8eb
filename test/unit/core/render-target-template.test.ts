import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { defaultTemplateRenderer } from '../../../src/core/default-template-renderer.ts';
import { planTargetSecret } from '../../../src/core/plan-target-secret.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { externalSecret, fetched, text } from '../../support/builders.ts';

describe('target.template rendering', () => {
  const render = defaultTemplateRenderer({ now: () => new Date('2026-11-23T10:00:00Z') });

  it('builds a dockerconfigjson Secret from user and password, as in ESO\'s docs', () => {
    const es = externalSecret({
      target: {
        name: 'regcred',
        template: {
          type: 'kubernetes.io/dockerconfigjson',
          metadata: { labels: { team: 'netbox' } },
          data: { '.dockerconfigjson': '{"auths":{"registry.example":{"auth":"{{ printf "%s:%s" .user .password | b64enc }}"}}}' },
        },
      },
    });
    const plan = planTargetSecret({ es, data: fetched({ user: 'u', password: 'canary-tpl' }), allMissing: false, live: undefined, renderTemplate: render });
    assert.ok(plan.action === 'create');
    assert.equal(plan.secret.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(plan.secret.labels.team, 'netbox');
    assert.deepEqual([...plan.secret.data.keys()], ['.dockerconfigjson']);
    const auth = JSON.parse(text(plan.secret.data.get('.dockerconfigjson'))!).auths['registry.example'].auth;
    assert.equal(Buffer.from(auth, 'base64').toString(), 'u:canary-tpl');
  });

  it('renders sprig\'s now from the clock the renderer is given, read at each render', () => {
    let clockNow = new Date('2026-11-23T10:00:00Z');
    const clocked = defaultTemplateRenderer({ now: () => clockNow, monotonicNanos: () => 5_000_000_000n });
    const es = externalSecret({ target: { template: { data: { at: '{{ now | date "2006-01-02T15:04:05Z07:00" }}', s: '{{ now }}' } } } });
    const first = planTargetSecret({ es, data: fetched({ user: 'u' }), allMissing: false, live: undefined, renderTemplate: clocked });
    assert.ok(first.action === 'create');
    assert.equal(text(first.secret.data.get('at')), '2026-11-23T10:00:00Z');
    assert.equal(text(first.secret.data.get('s')), '2026-11-23 10:00:00 +0000 UTC m=+5.000000000');
    clockNow = new Date('2026-11-24T11:30:00Z');
    const second = planTargetSecret({ es, data: fetched({ user: 'u' }), allMissing: false, live: undefined, renderTemplate: clocked });
    assert.ok(second.action === 'create');
    assert.equal(text(second.secret.data.get('at')), '2026-11-24T11:30:00Z');
  });

  it('passes the clock it is given as the render time (sprig genCA reads time.Now())', () => {
    const withClock = defaultTemplateRenderer({ now: () => new Date('2030-01-02T03:04:05Z') });
    const es = externalSecret({ target: { template: { data: { 'ca.crt': '{{ (genCA .cn 10).Cert }}' } } } });
    const plan = planTargetSecret({ es, data: fetched({ cn: 'my-ca' }), allMissing: false, live: undefined, renderTemplate: withClock });
    assert.ok(plan.action === 'create');
    const cert = new X509Certificate(text(plan.secret.data.get('ca.crt'))!);
    assert.equal(cert.subject, 'CN=my-ca');
    assert.equal(new Date(cert.validFrom).toISOString(), '2030-01-02T03:04:05.000Z');
  });

  it('keeps provider data next to template output with mergePolicy Merge', () => {
    const es = externalSecret({ target: { template: { mergePolicy: 'Merge', data: { URL: 'postgres://{{ .user }}@db' } } } });
    const plan = planTargetSecret({ es, data: fetched({ user: 'u' }), allMissing: false, live: undefined, renderTemplate: render });
    assert.ok(plan.action === 'create');
    assert.deepEqual([...plan.secret.data.keys()].sort(), ['URL', 'user']);
  });

  it('reports a template error by key and position, never with a value', () => {
    const es = externalSecret({ target: { template: { data: { BAD: '{{ .password | mustFromJson }}' } } } });
    assert.throws(
      () => planTargetSecret({ es, data: fetched({ password: 'canary-not-json' }), allMissing: false, live: undefined, renderTemplate: render }),
      (e: unknown) => e instanceof ProjectorError && e.message.includes('BAD') && !e.message.includes('canary-not-json'),
    );
  });

  it('reports engineVersion v1 as not supported', () => {
    const es = externalSecret({ target: { template: { engineVersion: 'v1', data: { A: 'x' } } } });
    assert.throws(() => planTargetSecret({ es, data: fetched({ X: 'y' }), allMissing: false, live: undefined, renderTemplate: render }), (e: unknown) => e instanceof ProjectorError && e.code === 'NotSupported');
  });

  it('a templateFrom literal rendering a value as a key the API server refuses: named by position, never printed (issue 9)', () => {
    const es = externalSecret({ target: { name: 'app', template: { templateFrom: [{ literal: 'fine: x\n{{ .name }}: y' }] } } });
    assert.throws(
      () => planTargetSecret({ es, data: fetched({ name: 'canary ключ' }), live: undefined, renderTemplate: render }),
      (e: unknown) =>
        e instanceof ProjectorError &&
        e.code === 'VaultBadValue' &&
        /^key #2 rendered by spec\.target\.template\.templateFrom\[0\]\.literal is not a valid Secret key/.test(e.message) &&
        !JSON.stringify([e.message, e.details]).includes('canary'),
    );
  });
});
