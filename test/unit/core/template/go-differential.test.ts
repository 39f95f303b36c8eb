// The differential test: every case of the corpus (differential-corpus.ts: the whole text/template
// language, every sprig function ESO exposes, every ESO function, edge inputs and a few thousand
// seeded random compositions) is rendered by Go (test/template-go: text/template + sprig + ESO's
// functions with ESO's options) and by Projector's engine, the operator's way. Agreement means the
// same output bytes, or both fail. Error messages are not compared: Projector's never quote values.
//
// Cases that differ today are listed, with their root cause, in known-differences.ts. This test
// fails when a case differs that is not listed (a regression, or a new case) and when a listed case
// agrees (a fix landed: take it off the list), so the list only shrinks.
//
// It needs Go (>= 1.26) to build the reference renderer once per machine (cached outside the repo,
// see test/support/template-go.ts); without Go it fails and says so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResponse, renderWithGo, type GoResult } from '../../../support/template-go.ts';
import { differentialCorpus, GENERATED_COUNT, GENERATOR_SEED, type DiffCase } from './differential-corpus.ts';
import { compare, renderWithProjector, type ProjectorResult, type Verdict } from './differential.ts';
import { KNOWN_DIFFERENCES, type DifferenceCause } from './known-differences.ts';

const ESO_FUNCTIONS = /\b(pkcs12(key|cert)(Pass)?|(full)?pemToPkcs12(Pass)?|pemTruststoreToPKCS12(Pass)?|filterCertChain|certSANs|jwkP(ublic|rivate)KeyPem|rsaDecrypt)\b/;

/** A first guess at a new difference's cause, printed to help whoever reviews it into the list. */
function suggestCause(c: DiffCase, v: Verdict, ours: ProjectorResult): DifferenceCause {
  const t = c.template;
  if (ours.kind === 'limit') return 'limit';
  if (ESO_FUNCTIONS.test(t)) return 3;
  if (ours.kind === 'unsupported' || /function "hexdec" not defined/.test(ours.message)) return 'unsupported';
  if (/\bfilterPEM\b/.test(t)) return 4;
  if (ours.kind === 'binary') return 2;
  if (v === 'output-differs' && /\b(initials|nospace|substr)\b/.test(t)) return 2;
  if (v === 'only-go-fails' && /\b(seq|dig|until|untilStep)\b/.test(t)) return 8;
  if (/\b(toYaml|fromYaml)\b/.test(t)) return 5;
  if (/%T|\b(typeOf|kindOf|typeIs|kindIs|deepEqual|1i)\b/.test(t)) return 6;
  if (/\bprintf\b/.test(t)) return 7;
  if (/\bregex\w*/.test(t)) return 1;
  return 8;
}

function show(bytes: Uint8Array): string {
  const s = Buffer.from(bytes).toString('utf8');
  return JSON.stringify(s.length > 160 ? `${s.slice(0, 160)}…` : s);
}

function describeCase(c: DiffCase, v: Verdict, go: GoResult, ours: ProjectorResult): string {
  const goSide = go.error ? `error: ${go.message.slice(0, 200)}` : show(go.output);
  const ourSide = ours.error ? `error (${ours.kind}): ${ours.message.slice(0, 200)}` : show(ours.output);
  return `  ${JSON.stringify(c.name)}: ${JSON.stringify(suggestCause(c, v, ours))}, // ${v}\n      template: ${JSON.stringify(c.template.slice(0, 200))}\n      Go:        ${goSide}\n      Projector: ${ourSide}`;
}

const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(2)} %`;

describe('Projector renders templates as Go text/template + sprig + ESO functions (differential test against Go)', () => {
  it(`agrees with Go on the corpus except the listed known differences (seed ${GENERATOR_SEED}, ${GENERATED_COUNT} generated cases)`, async () => {
    const corpus = differentialCorpus();
    assert.ok(corpus.length >= 3_000, `the corpus has ${corpus.length} cases`);
    assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, 'case names are unique');
    const listed = new Set(Object.keys(KNOWN_DIFFERENCES));
    const names = new Set(corpus.map((c) => c.name));
    const stale = [...listed].filter((n) => !names.has(n));
    assert.deepEqual(stale, [], 'known-differences.ts names cases that are not in the corpus');

    // Go renders in its own process while Projector renders here.
    const goPending = renderWithGo(corpus);
    const started = performance.now();
    const ours = corpus.map((c) => {
      const t0 = performance.now();
      const r = renderWithProjector(c);
      return { r, ms: performance.now() - t0 };
    });
    const projectorMs = performance.now() - started;
    const go = (await goPending).map(parseResponse);

    const byCause = new Map<DifferenceCause, number>();
    const byGroup = new Map<string, { total: number; agree: number }>();
    const unexpected: string[] = [];
    const nowAgreeing: string[] = [];
    const crashes: string[] = [];
    let agree = 0;
    for (const [i, c] of corpus.entries()) {
      const g = go[i]!;
      assert.equal(g.name, c.name, 'Go answered in order');
      const o = ours[i]!.r;
      if (o.kind === 'crash') crashes.push(`${c.name}: ${o.message}`);
      const v = compare(g, o);
      const stats = byGroup.get(c.group) ?? { total: 0, agree: 0 };
      stats.total++;
      if (v === 'agree') {
        agree++;
        stats.agree++;
        if (listed.has(c.name)) nowAgreeing.push(c.name);
      } else if (listed.has(c.name)) {
        const cause = KNOWN_DIFFERENCES[c.name]!;
        byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
      } else {
        unexpected.push(describeCase(c, v, g, o));
      }
      byGroup.set(c.group, stats);
    }
    const slowest = ours.map((o, i) => ({ ms: o.ms, name: corpus[i]!.name })).sort((a, b) => b.ms - a.ms).slice(0, 3);
    const known = listed.size - nowAgreeing.length;
    console.log(
      [
        `Go differential: ${corpus.length} cases (generator seed ${GENERATOR_SEED}), Projector rendered them in ${projectorMs.toFixed(0)} ms`,
        `  agreement with Go:                      ${agree}/${corpus.length} = ${pct(agree, corpus.length)}`,
        `  agreement outside the known differences: ${agree}/${corpus.length - known} = ${pct(agree, corpus.length - known)}`,
        `  known differences by cause: ${[...byCause].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, n]) => `${k}: ${n}`).join(', ')}`,
        `  by group: ${[...byGroup].map(([k, s]) => `${k} ${pct(s.agree, s.total)} of ${s.total}`).join('; ')}`,
        `  slowest Projector renders: ${slowest.map((s) => `${s.name} ${s.ms.toFixed(1)} ms`).join(', ')}`,
      ].join('\n'),
    );

    assert.deepEqual(crashes, [], 'the engine threw something other than a TemplateError');
    assert.equal(
      unexpected.length,
      0,
      `${unexpected.length} case(s) differ from Go and are not in known-differences.ts (fix the engine, or review and list them with their cause):\n${unexpected.join('\n')}`,
    );
    assert.deepEqual(nowAgreeing, [], 'these cases now agree with Go: remove them from known-differences.ts');
  });

  it('counts a difference in output bytes, and in failing or not, as disagreement', () => {
    const go = (output: string, error = false) => ({ name: 'x', output: new Uint8Array(Buffer.from(output)), error, message: error ? 'boom' : '' });
    const ours = (output: string, error = false) => ({ output: new Uint8Array(Buffer.from(output)), error, kind: error ? 'exec' : '', message: '' });
    assert.equal(compare(go('a'), ours('a')), 'agree');
    assert.equal(compare(go('', true), ours('', true)), 'agree');
    assert.equal(compare(go('a'), ours('b')), 'output-differs');
    assert.equal(compare(go('a'), ours('a\n')), 'output-differs');
    assert.equal(compare(go('', true), ours('')), 'only-go-fails');
    assert.equal(compare(go(''), ours('', true)), 'only-projector-fails');
  });
});
