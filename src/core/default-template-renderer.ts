import { renderTemplate } from './template/index.ts';
import { keyTemplateRenderer, targetTemplateRenderer } from './render-target-template.ts';
import type { TemplateRenderer } from './plan-target-secret.ts';

/** target.template rendering with Projector's Go text/template + sprig engine. */
export function defaultTemplateRenderer(): TemplateRenderer {
  return targetTemplateRenderer((source, data, name) => renderTemplate(source, data, name));
}

/** dataFrom rewrite.transform rendering with the same engine. */
export function defaultKeyTemplateRenderer(): (template: string, key: string, field: string) => string {
  return keyTemplateRenderer((source, data, name) => renderTemplate(source, data, name));
}
