// What `projector operator` loads before it does anything (issue 14: idle RSS), run from src/: a
// child process starts as bin/projector.mjs does, imports the operator's composition root and lists
// every module it loaded (test/support/operator-start-probe.ts). Libraries and Projector modules
// that only some stores, kubeconfigs, templates or other commands use must not be among them: each
// costs RSS and start CPU in every operator (docs/benchmarks.md, "Idle memory and start-up"); they
// load on first use instead. The same probe runs on the compiled, packed dist/ in
// test/e2e/npm-pack.test.ts.
import { describe, it } from 'node:test';
import { assertLeanStart, probeOperatorStart } from '../../support/operator-start-probe.ts';

const root = new URL('../../../', import.meta.url);

describe('projector operator at start', () => {
  it('loads none of the libraries and modules only some stores, kubeconfigs, templates or commands use; the first template loads the engine', () => {
    assertLeanStart(probeOperatorStart(process.execPath, root, 'src'), root, 'src');
  });
});
