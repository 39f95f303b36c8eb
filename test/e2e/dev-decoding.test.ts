// Field cases through `projector dev --once`. decoding-auto: decodingStrategy Auto keeps a plain value.
// template-b64dec-binary: a base64 keystore decoded by
// decodingStrategy and by the b64dec template function must both be written byte-exact (as ESO
// writes them); `upper` of it is written as Go writes it (U+FFFD for each byte that is not UTF-8); a
// label that renders the binary value fails with a clear condition and writes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'src/cli/main.ts');
const KEYSTORE = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02]);

function secretBytes(repo: string, name: string, key: string): Buffer {
  const doc = parse(readFileSync(join(repo, `.projector/out/demo/${name}.yaml`), 'utf8')) as { data: Record<string, string> };
  return Buffer.from(doc.data[key]!, 'base64');
}

function runDev(fixture: string): { repo: string; status: number | null; stdout: string } {
  const repo = mkdtempSync(join(tmpdir(), 'projector-decoding-'));
  cpSync(join(root, 'test/fixtures', fixture), repo, { recursive: true });
  const r = spawnSync(process.execPath, [cli, 'dev', '.', '--once', '--no-prompt', '--seed', 'seed.env'], { cwd: repo, encoding: 'utf8', timeout: 90_000 });
  return { repo, status: r.status, stdout: r.stdout + r.stderr };
}

describe('projector dev: decodingStrategy and binary data through templates', { timeout: 600_000 }, () => {
  it('keeps "dbuser" as it is with decodingStrategy Auto (it is not padded base64)', () => {
    const { repo, status, stdout } = runDev('decoding-auto');
    assert.equal(status, 0, stdout);
    assert.equal(secretBytes(repo, 'auto', 'username').toString('utf8'), 'dbuser');
  });

  it('writes the keystore byte-exact by decodingStrategy and by b64dec, upper of it as Go does, and fails a binary label', () => {
    const { repo, status, stdout } = runDev('template-binary');
    const r = { stdout };
    assert.equal(status, 1, stdout);
    assert.match(r.stdout, /✓ demo\/keystore → /);
    assert.match(r.stdout, /✓ demo\/keystore-tpl → /);
    assert.match(r.stdout, /✓ demo\/keystore-upper → /);
    assert.match(r.stdout, /✗ demo\/keystore-label: TemplateBinaryValue: spec\.target\.template\.metadata\.labels\["kind"\] renders binary data \(bytes that are not UTF-8\); labels, annotations and templateFrom literals are text/);
    assert.match(r.stdout, /3 ExternalSecret\(s\) ready, 1 failing/);
    assert.deepEqual(secretBytes(repo, 'keystore', 'keystore.jks'), KEYSTORE);
    assert.deepEqual(secretBytes(repo, 'keystore-tpl', 'keystore.jks'), KEYSTORE);
    assert.equal(secretBytes(repo, 'keystore-upper', 'keystore.jks').toString('hex'), 'efbfbdefbfbdefbfbdefbfbd00000002');
    assert.equal(existsSync(join(repo, '.projector/out/demo/keystore-label.yaml')), false);
    // The .env cannot hold these bytes; it says where they are instead of writing U+FFFD.
    const env = readFileSync(join(repo, '.projector/out/demo/keystore-tpl.env'), 'utf8');
    assert.match(env, /^# keystore_jks: binary value \(not UTF-8 text\), exact in keystore-tpl\.yaml as base64$/m);
    assert.ok(!env.includes('\uFFFD'));
  });
});
