// Which objects render Go templates, so a driver loads the template engine (core/template, ~45
// modules, ~12 MB of RSS) only when the first such object is reconciled (docs/benchmarks.md,
// "Idle memory and start-up"). The predicates follow the places that call a renderer: the
// `template` branch of plan-target-secret.ts planTargetSecret and of the PushSecret reconciler's
// applyTemplate (ESO: ApplyTemplate runs when spec.target.template / spec.template is set), and
// the `transform` branch of transform.ts rewriteKey (ESO runtime/esutils/utils.go RewriteMap), used
// by dataFrom[].rewrite and PushSecret dataTo[].rewrite. A unit test holds them to those call sites
// (test/unit/core/template-use.test.ts: an object judged not to need the engine is synced with
// renderers that throw).
import type { ExternalSecret } from '../api/index.ts';
import type { PushSecret } from '../api/pushsecret.ts';
import type { TemplateRenderer } from './plan-target-secret.ts';
import type { KeyTemplateRenderer } from './transform.ts';
import type { GenericTemplateRenderer } from './generic-target.ts';

/** The two renderers of the template engine (core/default-template-renderer.ts), bound to a clock. */
export interface TemplateRenderers {
  /** spec.target.template (and PushSecret spec.template) → data, labels, annotations. */
  renderTemplate: TemplateRenderer;
  /** rewrite[].transform: one key through a template. */
  renderKeyTemplate: KeyTemplateRenderer;
  /** spec.target.template onto a generic target (spec.target.manifest: core/render-generic-template.ts). */
  renderGenericTemplate: GenericTemplateRenderer;
}

/**
 * How a driver hands reconcilers the engine: resolves to the renderers, loading the engine on the
 * first call; every call (concurrent ones included) shares one load. Rejects only when the engine's
 * modules cannot be loaded (a broken installation).
 */
export type TemplateEngine = () => Promise<TemplateRenderers>;

function transforms(rewrites: readonly { transform?: unknown }[] | undefined): boolean {
  return rewrites?.some((rw) => rw.transform !== undefined) ?? false;
}

/** True when syncing `es` renders a template: spec.target.template is set, or a dataFrom rewrite has a transform. */
export function externalSecretUsesTemplates(es: ExternalSecret): boolean {
  return es.spec.target?.template !== undefined || (es.spec.dataFrom ?? []).some((d) => transforms(d.rewrite));
}

/** True when pushing `ps` renders a template: spec.template is set, or a dataTo rewrite has a transform. */
export function pushSecretUsesTemplates(ps: PushSecret): boolean {
  return ps.spec.template !== undefined || (ps.spec.dataTo ?? []).some((d) => transforms(d.rewrite));
}
