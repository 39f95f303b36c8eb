// Parse (never execute) every Go template an ExternalSecret or PushSecret spec holds, so `projector
// validate` refuses what the operator would refuse at sync with InvalidSpec. ESO parses each template
// when it renders (runtime/template/v2/template.go execute: text/template New(name).Funcs(...).Parse);
// a parse error depends on the template only, so it can be judged without data. The template names
// are the ones the operator gives the engine (core/render-target-template.ts: a template.data or
// metadata template is named by its key, a templateFrom literal and a rewrite transform by their
// field path), so the message is the operator's condition message, word for word.
//
// This module imports the template engine (core/template, ~45 modules): the operator loads that
// lazily (controller/template-engine.ts), so only the CLI imports this file, never core/validate.ts.
import { ProjectorError } from './errors.ts';
import { issue, type Issue } from './issues.ts';
import { parsedTemplate, TemplateError } from './template/index.ts';

/** `data["tls.crt"]`: a map key may hold dots, so it is quoted (parseFieldPath in cli/manifests.ts reads it back). */
function keyPath(base: string, key: string): string {
  return `${base}[${JSON.stringify(key)}]`;
}

/**
 * One template's parse result as an issue at `path`, or none. The code and message are those of
 * the engine's error turned into the operator's (TemplateError.toProjectorError: a syntax error or an
 * unknown function is `InvalidSpec`); a template from a ConfigMap or Secret (`external`) is
 * `TemplateSourceInvalid`, as render-target-template.ts renderOne reports it.
 */
function parseIssue(source: unknown, name: string, path: string, external = false): Issue[] {
  if (typeof source !== 'string') return [];
  try {
    parsedTemplate(source, name);
    return [];
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const pe: ProjectorError = e.toProjectorError(path);
    const code = external && pe.code === 'InvalidSpec' ? 'TemplateSourceInvalid' : pe.code;
    return [issue(path, code, pe.message)];
  }
}

function entries(v: unknown): [string, unknown][] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [];
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function field(o: unknown, name: string): unknown {
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[name] : undefined;
}

/**
 * The templates of a `target.template` (ExternalSecret) or `template` (PushSecret) object:
 * templateFrom[].literal, data, metadata.labels and metadata.annotations values (ESO renders the
 * values; keys are names, never parsed). `messageBase` is the path the operator names in its messages
 * (`spec.target.template` for an ExternalSecret, `spec.template` for a PushSecret, also when they sit
 * in a Cluster kind's embedded spec); `pathBase` is where the field is in the document being checked.
 * engineVersion v1 is not judged here (it is NotSupported: core/validate.ts, core/push-secret.ts).
 */
function templateObjectIssues(template: unknown, messageBase: string, pathBase: string): Issue[] {
  if (template === undefined || field(template, 'engineVersion') === 'v1') return [];
  const out: Issue[] = [];
  list(field(template, 'templateFrom')).forEach((from, i) => {
    const literal = `templateFrom[${i}].literal`;
    out.push(...parseIssue(field(from, 'literal'), `${messageBase}.${literal}`, `${pathBase}.${literal}`));
  });
  for (const [key, source] of entries(field(template, 'data'))) out.push(...parseIssue(source, key, keyPath(`${pathBase}.data`, key)));
  const metadata = field(template, 'metadata');
  for (const what of ['labels', 'annotations']) {
    for (const [key, source] of entries(field(metadata, what))) out.push(...parseIssue(source, key, keyPath(`${pathBase}.metadata.${what}`, key)));
  }
  return out;
}

/** rewrite[].transform.template of `spec.<list>[i]` (dataFrom for an ExternalSecret, dataTo for a PushSecret). */
function rewriteIssues(spec: unknown, listName: string, pathBase: string): Issue[] {
  return list(field(spec, listName)).flatMap((entry, i) =>
    list(field(entry, 'rewrite')).flatMap((rw, j) => {
      const at = `${listName}[${i}].rewrite[${j}].transform.template`;
      return parseIssue(field(field(rw, 'transform'), 'template'), `spec.${at}`, `${pathBase}.${at}`);
    }),
  );
}

/**
 * Parse errors of every template in an ExternalSecret spec: `spec.target.template` (templateFrom
 * literals, data, metadata) and `spec.dataFrom[].rewrite[].transform.template`. `pathBase` is where
 * the spec sits in the checked document: `spec`, or `spec.externalSecretSpec` in a
 * ClusterExternalSecret (whose ExternalSecrets the operator then fails with the same message).
 * Issues carry the operator's code (InvalidSpec; NotSupported for a construct the engine refuses)
 * and its message, e.g. `template: x:1:8: function "nosuchfunc" not defined`. Never throws on a
 * malformed spec (a field of the wrong type is skipped: the schema check reports it).
 */
export function externalSecretTemplateParseIssues(spec: unknown, pathBase = 'spec'): Issue[] {
  return [...templateObjectIssues(field(field(spec, 'target'), 'template'), 'spec.target.template', `${pathBase}.target.template`), ...rewriteIssues(spec, 'dataFrom', pathBase)];
}

/**
 * As externalSecretTemplateParseIssues, for a PushSecret spec: `spec.template` (rendered with the
 * ExternalSecret engine; the operator names it spec.template) and `spec.dataTo[].rewrite[].transform.template`.
 * `pathBase` is `spec`, or `spec.pushSecretSpec` in a ClusterPushSecret.
 */
export function pushSecretTemplateParseIssues(spec: unknown, pathBase = 'spec'): Issue[] {
  return [...templateObjectIssues(field(spec, 'template'), 'spec.template', `${pathBase}.template`), ...rewriteIssues(spec, 'dataTo', pathBase)];
}

/**
 * Templates read from a ConfigMap (`templateFrom[].configMap.items[]`) whose data is at hand:
 * `configMapData(name)` returns the ConfigMap's data, or undefined when it is not known (then
 * nothing is judged: the operator reads it at sync). Each item's template is named by its key, as
 * the operator names it, and a parse error is `TemplateSourceInvalid` (the operator retries it: the
 * ConfigMap may be fixed). `templateBase` is where the template object sits (`spec.target.template`,
 * `spec.template`, or under a Cluster kind's embedded spec). Secret sources are not judged: their
 * data is secret and a committed Secret is reported as sprawl anyway.
 */
export function configMapTemplateParseIssues(template: unknown, templateBase: string, configMapData: (name: string) => Record<string, unknown> | undefined): Issue[] {
  if (template === undefined || field(template, 'engineVersion') === 'v1') return [];
  return list(field(template, 'templateFrom')).flatMap((from, i) => {
    const cm = field(from, 'configMap');
    const name = field(cm, 'name');
    const data = typeof name === 'string' ? configMapData(name) : undefined;
    if (!data) return [];
    return list(field(cm, 'items')).flatMap((item, j) => {
      const key = field(item, 'key');
      if (typeof key !== 'string' || !Object.hasOwn(data, key)) return [];
      return parseIssue(data[key], key, `${templateBase}.templateFrom[${i}].configMap.items[${j}]`, true);
    });
  });
}
