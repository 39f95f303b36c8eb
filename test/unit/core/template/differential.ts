/**
 * Runs the differential corpus through Projector's engine, as the operator calls it
 * (core/render-target-template.ts: data values are the Go strings of the secret's bytes, the output
 * is turned back into bytes), and compares with Go's answers. Shared by go-differential.test.ts and
 * bench/template-engines.ts.
 */
import { goStringFromBytes, goStringToBytes } from '../../../../src/core/go-string.ts';
import { renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';
import type { GoResult, RenderRequest } from '../../../support/template-go.ts';

export interface ProjectorResult {
  readonly output: Uint8Array;
  readonly error: boolean;
  /** The engine's error kind, or `crash` for anything that is not a TemplateError (a bug). */
  readonly kind: string;
  readonly message: string;
}

/** One render with Projector's engine, the operator's way (the render's time is the wall clock, as Go's time.Now()). */
export function renderWithProjector(r: RenderRequest): ProjectorResult {
  const scope: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.data)) scope[k] = goStringFromBytes(v);
  try {
    const out = goStringToBytes(renderTemplate(r.template, scope, r.name, { now: new Date(), monotonicNanos: BigInt(Math.round(performance.now() * 1e6)) }));
    if (!out) return { output: new Uint8Array(), error: true, kind: 'binary', message: 'rendered a lone surrogate (no Go string)' };
    return { output: out, error: false, kind: '', message: '' };
  } catch (e) {
    if (e instanceof TemplateError) return { output: new Uint8Array(), error: true, kind: e.kind, message: e.message };
    return { output: new Uint8Array(), error: true, kind: 'crash', message: String(e) };
  }
}

export type Verdict = 'agree' | 'output-differs' | 'only-go-fails' | 'only-projector-fails';

/** Same output bytes, or both fail: agreement. Error messages are not compared (see docs/templates.md). */
export function compare(go: GoResult, ours: ProjectorResult): Verdict {
  if (go.error && ours.error) return 'agree';
  if (go.error) return 'only-go-fails';
  if (ours.error) return 'only-projector-fails';
  return Buffer.from(go.output).equals(Buffer.from(ours.output)) ? 'agree' : 'output-differs';
}
