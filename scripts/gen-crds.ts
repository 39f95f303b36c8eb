// Writes deploy/crds/*.yaml from src/api (the single schema source), and the same bytes into the Helm
// chart (deploy/charts/projector/files/crds, which a chart cannot read from outside its directory).
// `--check` fails on drift of either.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { renderCrdFiles } from '../src/api/crd-files.ts';

const check = process.argv.includes('--check');
const root = new URL('..', import.meta.url).pathname;
let drift = false;
const CHART_CRDS = 'deploy/charts/projector/files/crds/';
const files = renderCrdFiles(stringify).flatMap((f) => (f.path.startsWith('deploy/crds/') && f.path.endsWith('.external-secrets.io.yaml') ? [f, { path: CHART_CRDS + f.path.slice('deploy/crds/'.length), content: f.content }] : [f]));
for (const { path, content } of files) {
  const full = root + path;
  if (check) {
    let current = '';
    try {
      current = readFileSync(full, 'utf8');
    } catch {}
    if (current !== content) {
      console.error(`${path} is out of date: run npm run gen:crds`);
      drift = true;
    }
  } else {
    writeFileSync(full, content);
    console.log(`wrote ${path}`);
  }
}
process.exit(drift ? 1 : 0);
