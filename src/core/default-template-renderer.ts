import { renderTemplate, type ExecuteOptions } from './template/index.ts';
import { keyTemplateRenderer, targetTemplateRenderer } from './render-target-template.ts';
import type { TemplateRenderer } from './plan-target-secret.ts';
import type { GenericTemplateRenderer } from './generic-target.ts';
import { genericTemplateRenderer } from './render-generic-template.ts';

/**
 * The time source of sprig's `now` (and date/ago/durationRound, which fall back to it): `now()` is
 * read once per render; `monotonicNanos()`, when given, is Go's monotonic reading (nanoseconds since
 * the process started) that `{{ now }}` prints as ` m=+…`. The operator and dev pass the system
 * clock; tests pass a fake one.
 */
export interface TemplateClock {
  now(): Date;
  monotonicNanos?(): bigint;
}

function renderOptions(clock: TemplateClock): ExecuteOptions {
  const now = clock.now();
  return clock.monotonicNanos ? { now, monotonicNanos: clock.monotonicNanos() } : { now };
}

/** target.template rendering with Projector's Go text/template + sprig engine. */
export function defaultTemplateRenderer(clock: TemplateClock): TemplateRenderer {
  return targetTemplateRenderer((source, data, name) => renderTemplate(source, data, name, renderOptions(clock)));
}

/**
 * dataFrom[].rewrite[].transform and PushSecret dataTo[].rewrite[].transform rendering with the same
 * engine, but with Go's default `missingkey=invalid`: ESO parses these key templates without
 * `Option("missingkey=error")` (runtime/esutils/utils.go RewriteTransform, pkg/controllers/pushsecret
 * compileRewrite), so a key that is not in the data (`{{ .other | default .value }}`) is Go's invalid
 * value (prints `<no value>`, is nil to functions) instead of an error, unlike target templates.
 */
export function defaultKeyTemplateRenderer(clock: TemplateClock): (template: string, key: string, field: string) => string {
  return keyTemplateRenderer((source, data, name) => renderTemplate(source, data, name, { ...renderOptions(clock), missingKey: 'invalid' }));
}

/** target.template onto a generic target (spec.target.manifest) with the same engine. */
export function defaultGenericTemplateRenderer(clock: TemplateClock): GenericTemplateRenderer {
  return genericTemplateRenderer((source, data, name) => renderTemplate(source, data, name, renderOptions(clock)));
}
