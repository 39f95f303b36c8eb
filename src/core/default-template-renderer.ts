import { renderTemplate } from './template/index.ts';
import { keyTemplateRenderer, targetTemplateRenderer } from './render-target-template.ts';
import type { TemplateRenderer } from './plan-target-secret.ts';

/**
 * target.template rendering with Projector's Go text/template + sprig engine. `now` is the
 * render's time.Now() (read once per render); without it the functions that read the clock fail.
 */
export function defaultTemplateRenderer(now?: () => Date): TemplateRenderer {
  return targetTemplateRenderer((source, data, name) => renderTemplate(source, data, name, now ? { now: now() } : {}));
}

/** dataFrom rewrite.transform rendering with the same engine. */
export function defaultKeyTemplateRenderer(now?: () => Date): (template: string, key: string, field: string) => string {
  return keyTemplateRenderer((source, data, name) => renderTemplate(source, data, name, now ? { now: now() } : {}));
}
