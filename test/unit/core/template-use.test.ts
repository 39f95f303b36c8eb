// Which objects need the template engine (core/template-use.ts), and the driver's engine loader
// (controller/template-engine.ts): one import shared by concurrent first uses, a failed import tried
// again. The reconcilers' use of both: test/unit/controller/externalsecret-reconciler.test.ts
// ("loads the template engine for the first ExternalSecret that uses templates") and
// pushsecret-reconciler.test.ts; the compiled operator: test/unit/cli/operator-imports.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PushSecret } from '../../../src/api/pushsecret.ts';
import { externalSecretUsesTemplates, pushSecretUsesTemplates } from '../../../src/core/template-use.ts';
import { lazyTemplateEngine } from '../../../src/controller/template-engine.ts';
import { externalSecret, fetched } from '../../support/builders.ts';

const pushSecret = (spec: Partial<PushSecret['spec']>): PushSecret =>
  ({ apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'ns' }, spec: { secretStoreRefs: [{ name: 's' }], selector: { secret: { name: 'src' } }, ...spec } }) as PushSecret;

describe('externalSecretUsesTemplates / pushSecretUsesTemplates', () => {
  it('an ExternalSecret uses templates with target.template (even empty) or a dataFrom rewrite transform, not with regexp rewrites', () => {
    assert.equal(externalSecretUsesTemplates(externalSecret()), false);
    assert.equal(externalSecretUsesTemplates(externalSecret({ dataFrom: [{ extract: { key: 'k' }, rewrite: [{ regexp: { source: 'a', target: 'b' } }] }] })), false);
    assert.equal(externalSecretUsesTemplates(externalSecret({ target: { name: 't', template: {} } })), true);
    assert.equal(externalSecretUsesTemplates(externalSecret({ target: { name: 't', template: { metadata: { labels: { a: 'b' } } } } })), true);
    assert.equal(externalSecretUsesTemplates(externalSecret({ dataFrom: [{ extract: { key: 'k' } }, { find: { name: { regexp: '.' } }, rewrite: [{ regexp: { source: 'a', target: 'b' } }, { transform: { template: '{{ .value }}' } }] }] })), true);
  });

  it('a PushSecret uses templates with spec.template or a dataTo rewrite transform', () => {
    assert.equal(pushSecretUsesTemplates(pushSecret({})), false);
    assert.equal(pushSecretUsesTemplates(pushSecret({ dataTo: [{ storeRef: { name: 's' }, rewrite: [{ regexp: { source: 'a', target: 'b' } }] }] } as never)), false);
    assert.equal(pushSecretUsesTemplates(pushSecret({ template: { data: { k: '{{ .v }}' } } } as never)), true);
    assert.equal(pushSecretUsesTemplates(pushSecret({ dataTo: [{ storeRef: { name: 's' }, rewrite: [{ transform: { template: 'x-{{ .value }}' } }] }] } as never)), true);
  });
});

describe('lazyTemplateEngine', () => {
  const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
  const realModule = () => import('../../../src/core/default-template-renderer.ts');

  it('imports once for concurrent first uses and hands out renderers bound to the clock', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const engine = lazyTemplateEngine(clock, async () => {
      loads++;
      await gate;
      return realModule();
    });
    const first = [engine(), engine(), engine()];
    release();
    const [a, b, c] = await Promise.all(first);
    assert.equal(loads, 1);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(await engine(), a, 'a later call gets the same renderers');
    assert.equal(loads, 1);
    const es = externalSecret({ target: { name: 't', template: { data: { when: '{{ now | date "2006-01-02" }}', url: 'db://{{ .pw }}' } } } });
    const out = a!.renderTemplate(es, fetched({ pw: 'v' }));
    assert.equal(Buffer.from(out.data.get('when')!.reveal()).toString(), '2026-11-23');
    assert.equal(Buffer.from(out.data.get('url')!.reveal()).toString(), 'db://v');
    assert.equal(a!.renderKeyTemplate('{{ .value | upper }}', 'k', 'f'), 'K');
  });

  it('does not keep a failed import: the next use tries again', async () => {
    let loads = 0;
    const engine = lazyTemplateEngine(clock, async () => {
      loads++;
      if (loads === 1) throw new Error('cannot load');
      return realModule();
    });
    await assert.rejects(engine(), /cannot load/);
    const r = await engine();
    assert.equal(r.renderKeyTemplate('{{ .value }}-x', 'k', 'f'), 'k-x');
    assert.equal(loads, 2);
  });
});
