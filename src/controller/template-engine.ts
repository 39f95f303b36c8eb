// The template engine for the reconcilers, loaded on first use. The engine (core/template, ~45
// modules, ~12 MB of RSS in an idle operator: docs/benchmarks.md, "Idle memory and start-up") is
// needed only by objects with templates (core/template-use.ts), so the operator and `projector dev`
// start without it; the first reconcile that needs it awaits one dynamic import here and hands the
// pure core ready, synchronous renderers. The renderers are core/default-template-renderer.ts's,
// the same the `template` command and the tests use: one engine, one set of messages.
import type * as DefaultRenderers from '../core/default-template-renderer.ts';
import type { TemplateClock } from '../core/default-template-renderer.ts';
import type { TemplateEngine, TemplateRenderers } from '../core/template-use.ts';

type RendererModule = Pick<typeof DefaultRenderers, 'defaultTemplateRenderer' | 'defaultKeyTemplateRenderer' | 'defaultGenericTemplateRenderer'>;

/**
 * A TemplateEngine over core/default-template-renderer.ts bound to `clock` (sprig's `now`). The
 * first call starts the import; every later or concurrent call gets the same promise, so a burst
 * of first templated syncs imports once. A failed import (a broken installation) is not kept: the
 * next call tries again. `load` is for tests (counting and failing loads).
 */
export function lazyTemplateEngine(clock: TemplateClock, load: () => Promise<RendererModule> = () => import('../core/default-template-renderer.ts')): TemplateEngine {
  let loading: Promise<TemplateRenderers> | undefined;
  return () =>
    (loading ??= load().then(
      (m) => ({ renderTemplate: m.defaultTemplateRenderer(clock), renderKeyTemplate: m.defaultKeyTemplateRenderer(clock), renderGenericTemplate: m.defaultGenericTemplateRenderer(clock) }),
      (e: unknown) => {
        loading = undefined;
        throw e;
      },
    ));
}
