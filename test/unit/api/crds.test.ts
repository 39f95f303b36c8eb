import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { renderCrdFiles } from '../../../src/api/crd-files.ts';

const root = new URL('../../../', import.meta.url).pathname;

describe('CRDs', () => {
  it('deploy/crds matches the schemas in src/api (run npm run gen:crds after changing them)', () => {
    for (const f of renderCrdFiles(stringify)) assert.equal(readFileSync(root + f.path, 'utf8'), f.content, `${f.path} drifted`);
  });
  it('contain no schema constructs the API server rejects as non-structural', () => {
    for (const f of renderCrdFiles(stringify)) {
      for (const bad of ['anyOf:', 'oneOf:', 'const:', 'patternProperties:', '$id:']) assert.ok(!f.content.includes(bad), `${f.path} contains ${bad}`);
    }
  });
});
