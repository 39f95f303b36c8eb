import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GeneratorObject } from '../../../src/api/index.ts';
import { NotServedHere, shouldProcessGenerator } from '../../../src/core/controller-class.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { resolveGeneratorRef, runGeneratorRef, type GeneratorDeps } from '../../../src/sync/generate.ts';

const GV = 'generators.external-secrets.io/v1alpha1';
const signal = new AbortController().signal;

function deps(objects: GeneratorObject[], controllerClass?: string): GeneratorDeps {
  return {
    getGenerator: async (kind, ns, name) => objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns),
    random: { int: () => 0, bytes: (n) => new Uint8Array(n) },
    ...(controllerClass !== undefined ? { controllerClass } : {}),
  };
}

const fake = (controller?: string): GeneratorObject => ({ apiVersion: GV, kind: 'Fake', metadata: { name: 'f', namespace: 'app' }, spec: { data: { k: 'v' }, ...(controller !== undefined ? { controller } : {}) } });
const clusterFake = (controller?: string): GeneratorObject => ({
  apiVersion: GV,
  kind: 'ClusterGenerator',
  metadata: { name: 'cf' },
  spec: { kind: 'Fake', generator: { fakeSpec: { data: { k: 'v' }, ...(controller !== undefined ? { controller } : {}) } } },
});

describe('generator controller class (ESO shouldSkipGenerator)', () => {
  it('serves a generator naming no class or this class, never one naming another', () => {
    assert.equal(shouldProcessGenerator({}, 'default'), true);
    assert.equal(shouldProcessGenerator({ controller: '' }, 'default'), true);
    assert.equal(shouldProcessGenerator({ controller: 'default' }, 'default'), true);
    // ESO's own test: a Fake with controller "fakeControllerClass" is skipped by class "default".
    assert.equal(shouldProcessGenerator({ controller: 'fakeControllerClass' }, 'default'), false);
    assert.equal(shouldProcessGenerator({ controller: 'team-a' }, 'team-a'), true);
    assert.equal(shouldProcessGenerator(undefined, 'default'), true);
  });

  it('a Fake naming another class is not served here: NotServedHere, nothing generated', async () => {
    await assert.rejects(runGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake('team-a')], 'default'), signal), NotServedHere);
    const out = await runGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake('team-a')], 'team-a'), signal);
    assert.deepEqual([...out.keys()], ['k']);
    const unclassed = await runGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake()], 'team-a'), signal);
    assert.deepEqual([...unclassed.keys()], ['k']);
  });

  it("a ClusterGenerator is judged by its inner spec's controller (clusterGeneratorToVirtual)", async () => {
    await assert.rejects(resolveGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'cf' }, 'app', 'spec.dataFrom[0]', deps([clusterFake('team-a')], 'default'), signal), NotServedHere);
    const ok = await resolveGeneratorRef({ apiVersion: GV, kind: 'ClusterGenerator', name: 'cf' }, 'app', 'spec.dataFrom[0]', deps([clusterFake('default')], 'default'), signal);
    assert.equal(ok.kind, 'Fake');
  });

  it('without a controller class (projector check) nothing is skipped; invalid refs and missing generators still fail', async () => {
    const r = await resolveGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([fake('team-a')]), signal);
    assert.equal(r.where, 'Fake f spec');
    await assert.rejects(resolveGeneratorRef({ apiVersion: GV, kind: 'Nope', name: 'f' }, 'app', 'spec.dataFrom[0]', deps([]), signal), (e: ProjectorError) => e.code === 'InvalidSpec');
    await assert.rejects(resolveGeneratorRef({ apiVersion: GV, kind: 'Fake', name: 'gone' }, 'app', 'spec.dataFrom[0]', deps([]), signal), (e: ProjectorError) => e.code === 'GeneratorNotFound');
  });
});
