import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainSystemError, reportBug } from '../../../src/cli/failure.ts';
import { byComma, byCommaBeforeStoreKind, repeatable } from '../../../src/cli/repeatable.ts';

describe('explainSystemError', () => {
  it('explains a port in use, naming the address', () => {
    const e = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 8443 });
    assert.match(explainSystemError(e)!, /^cannot listen on 127\.0\.0\.1:8443: the address is already in use/);
  });

  it('explains file errors by path, from code and syscall only', () => {
    const e = Object.assign(new Error('CANARY text'), { code: 'ENOENT', syscall: 'open', path: '/x/y' });
    assert.equal(explainSystemError(e), 'cannot open /x/y: no such file or directory');
    assert.equal(explainSystemError(Object.assign(new Error(), { code: 'ENOTDIR', syscall: 'mkdir', path: '/f/d' })), 'cannot create directory /f/d: a part of the path is not a directory');
  });

  it('leaves anything else to the bug report', () => {
    assert.equal(explainSystemError(new TypeError('x')), undefined);
    assert.equal(explainSystemError(Object.assign(new Error(), { code: 'ERR_SOMETHING' })), undefined);
  });
});

describe('reportBug', () => {
  it('prints one line with an id and writes the stack under that id to the debug log (mode 0600)', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'projector-bug-')), 'debug.log');
    const err = new RangeError('CANARY-bug-message');
    const bug = reportBug(err, { PROJECTOR_DEBUG_LOG: log }, new Date('2026-01-02T03:04:05Z'));
    assert.match(bug.id, /^[0-9a-f]{8}$/);
    assert.equal(bug.line, `projector: internal error ${bug.id} (RangeError): this is a bug in Projector; the stack is in ${log} under id ${bug.id}; please report it`);
    assert.ok(!bug.line.includes('CANARY'), 'the message is not printed');
    const text = readFileSync(log, 'utf8');
    assert.match(text, new RegExp(`^--- 2026-01-02T03:04:05\\.000Z id=${bug.id} `));
    assert.match(text, /RangeError: CANARY-bug-message\n\s+at /);
    assert.equal(statSync(log).mode & 0o777, 0o600);
  });

  it('says to rerun with LOG_LEVEL=debug when the log cannot be written', () => {
    const bug = reportBug(new Error('x'), { PROJECTOR_DEBUG_LOG: '/proc/no/such/dir/log' });
    assert.match(bug.line, /run again with LOG_LEVEL=debug for the stack/);
  });
});

describe('repeatable options', () => {
  it('append each occurrence and cut a comma list where values hold no comma', () => {
    const stores = repeatable(byComma);
    assert.deepEqual(stores('ClusterSecretStore/b', stores('ClusterSecretStore/a', undefined)), ['ClusterSecretStore/a', 'ClusterSecretStore/b']);
    assert.deepEqual(stores('SecretStore/a, SecretStore/b', undefined), ['SecretStore/a', 'SecretStore/b']);
    assert.deepEqual(repeatable()('k=v,with,commas', undefined), ['k=v,with,commas']);
  });

  it('cut store overrides only before a store kind, never inside a URL', () => {
    assert.deepEqual(byCommaBeforeStoreKind('ClusterSecretStore/a=https://h/p?x=1,2,SecretStore/ns/b=https://k'), ['ClusterSecretStore/a=https://h/p?x=1,2', 'SecretStore/ns/b=https://k']);
  });
});
