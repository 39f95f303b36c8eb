// challengeGatePolicy (src/providers/azurekv/challenge-gate.ts): a new client's requests go one at a
// time until one is answered with anything but 401 (the Key Vault challenge of
// @azure/keyvault-common's keyVaultAuthenticationPolicy), then all at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { challengeGatePolicy } from '../../../../src/providers/azurekv/challenge-gate.ts';
import { flushMicrotasks } from '../../../support/fake-clock.ts';

/** A `next` whose answers the test releases one by one; records which requests were sent. */
function pipeline() {
  const sent: string[] = [];
  const pending: { id: string; answer: (status: number) => void; fail: () => void }[] = [];
  const next = (req: PipelineRequest) =>
    new Promise<PipelineResponse>((resolve, reject) => {
      sent.push(req.url);
      pending.push({ id: req.url, answer: (status) => resolve({ status, request: req } as PipelineResponse), fail: () => reject(new Error('ECONNRESET')) });
    });
  const take = (id: string) => {
    const i = pending.findIndex((p) => p.id === id);
    return pending.splice(i, 1)[0]!;
  };
  return { sent, next, take };
}

const req = (url: string) => ({ url }) as PipelineRequest;

test('the first request goes alone; the rest wait for its answer, then go together', async () => {
  const gate = challengeGatePolicy();
  const p = pipeline();
  const answers = ['a', 'b', 'c'].map((id) => gate.sendRequest(req(id), p.next));
  await flushMicrotasks();
  assert.deepEqual(p.sent, ['a']);
  p.take('a').answer(200);
  await flushMicrotasks();
  assert.deepEqual(p.sent, ['a', 'b', 'c']);
  p.take('b').answer(200);
  p.take('c').answer(404);
  assert.deepEqual((await Promise.all(answers)).map((r) => r.status), [200, 200, 404]);
});

test('a 401 or a transport error keeps it closed: the next request goes alone', async () => {
  const gate = challengeGatePolicy();
  const p = pipeline();
  const a = gate.sendRequest(req('a'), p.next);
  const b = gate.sendRequest(req('b'), p.next);
  const c = gate.sendRequest(req('c'), p.next);
  await flushMicrotasks();
  p.take('a').answer(401);
  assert.equal((await a).status, 401);
  await flushMicrotasks();
  assert.deepEqual(p.sent, ['a', 'b'], 'after a 401, one more goes alone');
  p.take('b').fail();
  await assert.rejects(b, /ECONNRESET/);
  await flushMicrotasks();
  assert.deepEqual(p.sent, ['a', 'b', 'c']);
  p.take('c').answer(403); // authenticated (the challenge completed), only not allowed
  assert.equal((await c).status, 403);
  const d = gate.sendRequest(req('d'), p.next);
  const e = gate.sendRequest(req('e'), p.next);
  await flushMicrotasks();
  assert.deepEqual(p.sent.slice(3), ['d', 'e'], 'open after a non-401 answer');
  p.take('d').answer(200);
  p.take('e').answer(200);
  await Promise.all([d, e]);
});
