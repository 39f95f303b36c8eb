// Writes deploy/crds/*.yaml from src/api (the single schema source). `--check` fails on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { renderCrdFiles } from '../src/api/crd-files.ts';

const check = process.argv.includes('--check');
const root = new URL('..', import.meta.url).pathname;
let drift = false;
for (const { path, content } of renderCrdFiles(stringify)) {
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
