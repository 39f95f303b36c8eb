// target.template → Secret data, labels and annotations, with ESO's v2 engine semantics: the data
// is exposed to templates as map[string]string, template output becomes bytes. Go strings are bytes,
// so values go in and out as Go strings (core/go-string.ts): bytes that are not UTF-8 are carried
// exactly through every template function, and where they cannot be written as they are (a label,
// an annotation, a templateFrom literal: API strings and YAML are text) the sync fails instead of
// writing altered bytes.
import { parse as parseYaml } from 'yaml';
import type { ExternalSecret } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { secretKeyProblem } from './secret-shape.ts';
import { goStringFromBytes, goStringToBytes, isTextString } from './go-string.ts';
import { Sensitive } from './sensitive.ts';
import { TemplateError } from './template/index.ts';
import type { SecretBytes, TemplateRenderer } from './plan-target-secret.ts';

/** The engine's render function (core/template), injected to keep this adapter testable alone. */
export type RenderFn = (source: string, data: unknown, name: string) => string;

/** `spec.target.template.data["tls.crt"]`: the key may hold dots, so it is quoted. */
function keyField(what: string, key: string): string {
  return `${what}[${JSON.stringify(key)}]`;
}

/** What to do instead (never names a value). */
const BINARY_ADVICE =
  'labels, annotations and templateFrom literals are text; write binary data to a key of template.data, ' +
  'or encode it where text is needed (for example with b64enc)';

function binaryValueError(field: string, what: string): ProjectorError {
  return new ProjectorError('TemplateBinaryValue', `${field} ${what} binary data (bytes that are not UTF-8); ${BINARY_ADVICE}`, { field });
}

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

/** Labels and annotations are JSON strings in the API: bytes that are not UTF-8 cannot be written as they are. */
function textOnly(rendered: Map<string, string>, what: string): Record<string, string> {
  for (const [k, v] of rendered) if (!isTextString(v)) throw binaryValueError(keyField(what, k), 'renders');
  return Object.fromEntries(rendered);
}

export function targetTemplateRenderer(render: RenderFn): TemplateRenderer {
  return (es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>) => {
    const template = es.spec.target?.template;
    // ESO passes map[string]string(bytes): each value is the Go string of its bytes, binary or not.
    // Built with own data properties (Object.fromEntries), so a key `__proto__` is a key like any other.
    const scope: Record<string, string> = Object.fromEntries([...data].map(([k, v]) => [k, goStringFromBytes(v.reveal())]));
    if (template?.engineVersion === 'v1') throw new ProjectorError('NotSupported', 'spec.target.template.engineVersion v1 is not supported by Projector; use v2', { field: 'spec.target.template.engineVersion' });
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      if (from.configMap || from.secret) throw new ProjectorError('NotSupported', `spec.target.template.templateFrom[${i}] with configMap/secret is not supported by Projector yet`, { field: `spec.target.template.templateFrom[${i}]` });
    }
    const literal = new Map<string, string>();
    for (const [i, from] of (template?.templateFrom ?? []).entries()) {
      if (from.literal === undefined) continue;
      // A literal renders to YAML key: value pairs for its target (Data by default), as in ESO.
      const field = `spec.target.template.templateFrom[${i}].literal`;
      const rendered = renderAll(render, { [`literal${i}`]: from.literal }, scope, 'spec.target.template.templateFrom');
      // YAML is text: Go's YAML parser refuses bytes that are not UTF-8, and this one would alter them.
      if (!isTextString(rendered.get(`literal${i}`) ?? '')) throw binaryValueError(field, 'renders');
      let doc: unknown;
      try {
        doc = parseYaml(rendered.get(`literal${i}`) ?? '');
      } catch {
        throw new ProjectorError('InvalidSpec', `spec.target.template.templateFrom[${i}].literal did not render to a YAML map`, { field: `spec.target.template.templateFrom[${i}].literal` });
      }
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        Object.entries(doc as Record<string, unknown>).forEach(([k, v], j) => {
          // A rendered key may be made from secret data: it is named by its position, never printed.
          const problem = secretKeyProblem(k);
          if (problem) {
            throw new ProjectorError('VaultBadValue', `key #${j + 1} rendered by ${field} is not a valid Secret key: it ${problem} (not shown: it may be part of a secret value)`, { field });
          }
          literal.set(k, typeof v === 'string' ? v : JSON.stringify(v));
        });
      }
    }
    const rendered = renderAll(render, template?.data, scope, 'spec.target.template.data');
    const out = new Map<string, SecretBytes>();
    for (const [k, v] of literal) out.set(k, new Sensitive(new Uint8Array(Buffer.from(v, 'utf8'))));
    for (const [k, v] of rendered) {
      // The rendered Go string's own bytes; undefined only for a lone UTF-16 surrogate no Go string has.
      const bytes = goStringToBytes(v);
      if (!bytes) throw binaryValueError(keyField('spec.target.template.data', k), 'renders');
      out.set(k, new Sensitive(bytes));
    }
    return {
      data: out,
      labels: textOnly(renderAll(render, template?.metadata?.labels, scope, 'spec.target.template.metadata.labels'), 'spec.target.template.metadata.labels'),
      annotations: textOnly(renderAll(render, template?.metadata?.annotations, scope, 'spec.target.template.metadata.annotations'), 'spec.target.template.metadata.annotations'),
    };
  };
}

/** dataFrom[].rewrite[].transform: the key is `.value` in the template, as in ESO. */
export function keyTemplateRenderer(render: RenderFn): (template: string, key: string, field: string) => string {
  return (template, key, field) => {
    try {
      // ESO writes the rendered text as the key unchanged (RewriteTransform in runtime/esutils/utils.go): no trimming.
      return render(template, { value: key }, field);
    } catch (e) {
      if (e instanceof TemplateError) throw e.toProjectorError(field);
      throw new ProjectorError('InvalidSpec', `${field}: template failed`, { field });
    }
  };
}
