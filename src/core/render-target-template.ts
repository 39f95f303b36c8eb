// target.template → Secret data, labels and annotations, with ESO's v2 engine semantics: the data
// is exposed to templates as map[string]string (values as text), template output becomes bytes.
import { parse as parseYaml } from 'yaml';
import type { ExternalSecret } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { Sensitive } from './sensitive.ts';
import { TemplateError } from './template/index.ts';
import type { SecretBytes, TemplateRenderer } from './plan-target-secret.ts';

/** The engine's render function (core/template), injected to keep this adapter testable alone. */
export type RenderFn = (source: string, data: unknown, name: string) => string;

function renderAll(render: RenderFn, templates: Record<string, string> | undefined, scope: Record<string, string>, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, source] of Object.entries(templates ?? {})) {
    try {
      out.set(key, render(source, scope, key));
    } catch (e) {
      // The engine's messages carry template names and positions only (tested there); never values.
      // A parse error is terminal; an execution error may depend on data and is retried.
      if (e instanceof TemplateError) throw e.toProjectorError(`${what}.${key}`);
      throw new ProjectorError('InvalidSpec', `${what}.${key}: template failed`, { field: `${what}.${key}` });
    }
  }
  return out;
}

export function targetTemplateRenderer(render: RenderFn): TemplateRenderer {
  return (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>) => {
    const template = es.spec.target?.template;
    const scope: Record<string, string> = {};
    for (const [k, v] of data) scope[k] = Buffer.from(v.reveal()).toString('utf8');
    if (template?.engineVersion === 'v1') throw new ProjectorError('NotSupported', 'spec.target.template.engineVersion v1 is not supported by Projector; use v2', { field: 'spec.target.template.engineVersion' });
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      if (from.configMap || from.secret) throw new ProjectorError('NotSupported', `spec.target.template.templateFrom[${i}] with configMap/secret is not supported by Projector yet`, { field: `spec.target.template.templateFrom[${i}]` });
    }
    const literal = new Map<string, string>();
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      if (from.literal === undefined) continue;
      // A literal renders to YAML key: value pairs for its target (Data by default), as in ESO.
      const rendered = renderAll(render, { [`literal${i}`]: from.literal }, scope, 'spec.target.template.templateFrom');
      let doc: unknown;
      try {
        doc = parseYaml(rendered.get(`literal${i}`) ?? '');
      } catch {
        throw new ProjectorError('InvalidSpec', `spec.target.template.templateFrom[${i}].literal did not render to a YAML map`, { field: `spec.target.template.templateFrom[${i}].literal` });
      }
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        for (const [k, v] of Object.entries(doc as Record<string, unknown>)) literal.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
    }
    const rendered = renderAll(render, template?.data, scope, 'spec.target.template.data');
    const out = new Map<string, SecretBytes>();
    for (const [k, v] of [...literal, ...rendered]) out.set(k, new Sensitive(new Uint8Array(Buffer.from(v, 'utf8'))));
    return {
      data: out,
      labels: Object.fromEntries(renderAll(render, template?.metadata?.labels, scope, 'spec.target.template.metadata.labels')),
      annotations: Object.fromEntries(renderAll(render, template?.metadata?.annotations, scope, 'spec.target.template.metadata.annotations')),
    };
  };
}

/** dataFrom[].rewrite[].transform: the key is `.value` in the template, as in ESO. */
export function keyTemplateRenderer(render: RenderFn): (template: string, key: string, field: string) => string {
  return (template, key, field) => {
    try {
      return render(template, { value: key }, field).trim();
    } catch (e) {
      if (e instanceof TemplateError) throw e.toProjectorError(field);
      throw new ProjectorError('InvalidSpec', `${field}: template failed`, { field });
    }
  };
}
