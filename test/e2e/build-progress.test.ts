// hack/apiserver/build.sh with a stand-in `go` on PATH: the first build says which binary it is
// building, how long it has taken and how many packages are done, instead of minutes of silence;
// a failing build shows the end of Go's output. (The real build is exercised by every integration run.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/** A `go` that prints packages like `go build -v`, takes `seconds`, then writes the -o file (or fails). */
function fakeGo(dir: string, seconds: number, fail = ''): void {
  writeFileSync(
    join(dir, 'go'),
    `#!/usr/bin/env bash
out=""; while [[ $# -gt 0 ]]; do [[ "$1" == "-o" ]] && out="$2"; shift; done
for i in 1 2 3; do echo "example.com/pkg$i"; done
sleep ${seconds}
if [[ -n "${fail}" && "$out" == *"${fail}" ]]; then echo "compile: undefined: something" >&2; exit 2; fi
printf '#!/bin/sh\\n' > "$out"; chmod +x "$out"
`,
  );
  chmodSync(join(dir, 'go'), 0o755);
}

function runBuild(bin: string, cache: string) {
  return spawnSync('bash', [join(root, 'hack/apiserver/build.sh')], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PROJECTOR_CACHE_DIR: cache, PROJECTOR_BUILD_PROGRESS_SECONDS: '1' },
  });
}

describe('control plane build progress', { timeout: 300_000 }, () => {
  it('names each binary and reports elapsed time and packages while it builds, then caches', () => {
    const bin = mkdtempSync(join(tmpdir(), 'projector-fake-go-'));
    const cache = mkdtempSync(join(tmpdir(), 'projector-cache-'));
    fakeGo(bin, 3);
    const r = runBuild(bin, cache);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const [name, which] of [['etcd', '1 of 3'], ['kube-apiserver', '2 of 3, the long one'], ['kube-controller-manager', '3 of 3']]) {
      assert.match(r.stdout, new RegExp(`\\[control plane\\] building ${name} \\(${which}\\) \\.\\.\\.\\n`));
      assert.match(r.stdout, new RegExp(`\\[control plane\\] {3}${name}: 0m0[1-9]s elapsed, 3 packages compiled \\(total \\dm\\d\\ds\\)`));
      assert.match(r.stdout, new RegExp(`\\[control plane\\] {3}${name} done in 0m0\\ds`));
    }
    assert.match(r.stdout, /20-45 minutes on 2 cores and about 4\.4 GB of disk/);
    assert.match(r.stdout, /\[control plane\] built in \dm\d\ds into /);
    const again = runBuild(bin, cache);
    assert.match(again.stdout, /^control plane binaries cached in /);
  });

  it('shows the end of Go\'s output and exits 1 when a build fails', () => {
    const bin = mkdtempSync(join(tmpdir(), 'projector-fake-go-'));
    const cache = mkdtempSync(join(tmpdir(), 'projector-cache-'));
    fakeGo(bin, 0, 'kube-apiserver');
    const r = runBuild(bin, cache);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[control plane\] building kube-apiserver failed after 0m0\ds; the end of Go's output:\n(.*\n)*compile: undefined: something/);
    const published = readdirSync(join(cache)).filter((n) => !n.endsWith('.partial'));
    assert.deepEqual(published, [], 'nothing half-built is published');
    assert.equal(readdirSync(cache).length, 1, 'the .partial directory holds the attempt');
  });
});
