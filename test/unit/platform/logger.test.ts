// lazyChild: the same lines as pino's child, without making the child when nothing is written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, lazyChild } from '../../../src/platform/logger.ts';

function world(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const parent = createLogger({ level, destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } as never });
  let children = 0;
  const child = parent.child.bind(parent);
  parent.child = ((...a: Parameters<typeof child>) => (children++, child(...a))) as typeof parent.child;
  return { parent, lines, children: () => children };
}

describe('lazyChild', () => {
  it('writes what pino\'s child writes: the bindings on every line, redaction as the parent\'s', () => {
    const w = world('info');
    const log = lazyChild(w.parent, { key: 'team/db', reason: 'first-sync' });
    log.info({ target: 'team/db', value: 'canary-not-logged' }, 'created target Secret');
    log.warn({ code: 'X' }, 'second');
    assert.equal(w.children(), 1, 'one child for both lines');
    assert.deepEqual(w.lines.map(({ time: _t, ...rest }) => rest), [
      { level: 30, name: 'projector', key: 'team/db', reason: 'first-sync', target: 'team/db', value: '[REDACTED]', msg: 'created target Secret' },
      { level: 40, name: 'projector', key: 'team/db', reason: 'first-sync', code: 'X', msg: 'second' },
    ]);
    assert.equal(log.isLevelEnabled('debug'), false);
  });

  it('makes no child while only disabled levels are called', () => {
    const w = world('warn');
    const log = lazyChild(w.parent, { key: 'team/db' });
    log.debug({ a: 1 }, 'not written');
    log.info('not written either');
    assert.equal(w.children(), 0);
    assert.equal(w.lines.length, 0);
    log.error('written');
    assert.equal(w.children(), 1);
    assert.equal(w.lines[0]!.key, 'team/db');
  });
});
