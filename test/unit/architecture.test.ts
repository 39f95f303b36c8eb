// The layer rules of docs/design (shared design §4.3), checked by scanning import specifiers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const src = new URL('../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Import {
  from: string; // file, relative to src
  to: string; // resolved src-relative path, or the package name
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[3] ?? m[4]!;
    const to = spec.startsWith('.') ? relative(src, resolve(dirname(file), spec)) : spec;
    out.push({ from: relative(src, file), to, typeOnly: Boolean(m[2]) });
  }
  return out;
}

const layerOf = (path: string) => path.split('/')[0]!.replace(/\.ts$/, '');
const all = files(src).flatMap(importsOf);
const internal = all.filter((i) => !i.to.startsWith('node:') && (i.to.includes('/') || i.to.endsWith('.ts')) && !i.to.startsWith('@') && !/^[a-z-]+$/.test(i.to) && !i.to.startsWith('typebox'));

const allowed: Record<string, string[]> = {
  platform: ['platform'],
  api: ['api'],
  core: ['api', 'core'],
  providers: ['api', 'core', 'platform', 'providers'],
  sync: ['api', 'core', 'platform', 'sync', 'providers/provider.ts', 'providers/registry.ts'],
  kube: ['api', 'core', 'platform', 'kube', 'providers/provider.ts'],
  controller: ['api', 'core', 'platform', 'kube', 'providers', 'sync', 'controller'],
  vault: ['platform', 'vault'],
};

describe('architecture', () => {
  it('keeps every layer to the imports it is allowed', () => {
    assert.ok(internal.length > 100, 'the scan found the imports');
    const violations = internal.filter((i) => {
      const rules = allowed[layerOf(i.from)];
      if (!rules) return false; // cli/ and config.ts are composition roots
      return !rules.some((r) => i.to === r || i.to.startsWith(`${r}/`) || i.to === r.replace(/\.ts$/, '') || layerOf(i.to) === r && !r.includes('/'));
    });
    assert.deepEqual(violations.map((v) => `${v.from} -> ${v.to}`), []);
  });

  it('lets only kube/ (and composition roots) call the Kubernetes client; others import its types only', () => {
    const bad = all.filter((i) => i.to === '@kubernetes/client-node' && !['kube', 'cli'].includes(layerOf(i.from)) && !i.typeOnly);
    assert.deepEqual(bad.map((v) => v.from), []);
  });

  it('lets only providers/azurekv/ and CLI composition roots use the Azure SDK', () => {
    const bad = all.filter((i) => i.to.startsWith('@azure/') && !i.from.startsWith('providers/azurekv/') && !i.from.startsWith('cli/'));
    assert.deepEqual(bad.map((v) => v.from), []);
  });

  it('keeps the pure core free of I/O, clocks and the environment', () => {
    const coreFiles = files(join(src, 'core'));
    for (const f of coreFiles) {
      const text = readFileSync(f, 'utf8');
      for (const banned of [/from 'node:(fs|net|http|https|child_process)/, /Date\.now\(\)/, /new Date\(\)/, /process\.env/, /console\./]) {
        assert.ok(!banned.test(text), `${relative(src, f)} uses ${banned}`);
      }
    }
  });
});
