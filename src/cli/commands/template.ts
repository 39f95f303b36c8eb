// `projector template`: renders an ExternalSecret's (or PushSecret's) target template offline, from
// a data file, with no vault or cluster: the counterpart of ESO's `esoctl template`
// (cmd/esoctl/template.go; same flag names). It runs the operator's own rules: the template engine
// (core/template), target.template semantics (core/render-target-template.ts) and what the operator
// would write (core/plan-target-secret.ts: mergePolicy, type, key and shape checks).
//
// It prints the rendered Secret, values included (base64, as a Secret manifest holds them): the
// values are the ones the user put in the data file given on the command line, and showing what a
// template makes of them is this command's purpose. Errors name fields and keys, never values.
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ExternalSecret } from '../../api/index.ts';
import { ANNOTATION_DATA_HASH, LABEL_MANAGED } from '../../api/constants.ts';
import { ProjectorError } from '../../core/errors.ts';
import { decodeStdText } from '../../core/go-base64.ts';
import type { SecretBytes, TemplateSources } from '../../core/plan-target-secret.ts';
import { templateSourceNames } from '../../core/template-source-names.ts';
import { Sensitive } from '../../core/sensitive.ts';
import { CliOutput } from '../output.ts';

export interface TemplateFlags {
  sourceTemplatedObject?: string;
  sourceSecretDataFile?: string;
  templateFromConfigMap?: string;
  templateFromSecret?: string;
  output?: string;
  /** Keep the operator's own metadata (managed label, data-hash annotation) in the output. */
  operatorMetadata?: boolean;
}

const EXAMPLES = `
Examples:
  $ projector template --source-templated-object deploy/netbox/secrets/externalsecret-db.yaml \\
      --source-secret-data-file data.yaml
  $ projector template --source-templated-object es.yaml --source-secret-data-file data.yaml --output secret.yaml

  $ projector template --source-templated-object es.yaml --source-secret-data-file data.yaml \\
      --template-from-config-map app-tpl-configmap.yaml --template-from-secret app-tpl-secret.yaml

The data file is what the provider would return, as YAML: either a map of key to base64 value (ESO's
esoctl format, like a Secret's data), or a v1 Secret manifest (data: base64, stringData: text).
template.templateFrom[].configMap and .secret entries read the ConfigMap / Secret manifest given
with --template-from-config-map / --template-from-secret. As in esoctl, one object in the file
serves every entry of its kind whatever name the entry gives; a file of several objects
(documents separated by ---) serves each entry from the object of the entry's name.
The output is the Secret the operator would write from that data (values in base64). The data
file holds development values: keep it out of Git. Exit status: 0 rendered, 1 the template or the
data failed, 2 usage error.`;

export function registerTemplateCommand(program: Command): void {
  program
    .command('template')
    .description("Render an ExternalSecret's (or PushSecret's) target template from a data file: no vault, no cluster (like esoctl template).")
    .option('--source-templated-object <file>', 'the ExternalSecret or PushSecret whose template to render')
    .option('--source-secret-data-file <file>', 'the data the template reads: key: base64 map, or a Secret manifest')
    .option('--template-from-config-map <file>', 'the ConfigMap(s) template.templateFrom[].configMap reads (a manifest; several as YAML documents)')
    .option('--template-from-secret <file>', 'the Secret(s) template.templateFrom[].secret reads (a manifest: data base64, stringData text)')
    .option('--output <file>', 'write the rendered Secret to this file instead of standard output')
    .option('--operator-metadata', "keep the operator's own label and data-hash annotation in the output")
    .addHelpText('after', EXAMPLES)
    .action(async (flags: TemplateFlags) => {
      process.exitCode = await templateCommand(flags, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}

class TemplateUsageError extends Error {}

export async function templateCommand(flags: TemplateFlags, streams: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown; isTTY?: boolean }; env: Record<string, string | undefined> }): Promise<number> {
  const out = new CliOutput({ stdout: streams.stdout, stderr: streams.stderr, env: streams.env });
  try {
    if (!flags.sourceTemplatedObject) throw new TemplateUsageError('give --source-templated-object <file> (the ExternalSecret or PushSecret)');
    if (!flags.sourceSecretDataFile) throw new TemplateUsageError('give --source-secret-data-file <file> (the data the template reads)');
    const es = externalSecretFrom(await readYaml(flags.sourceTemplatedObject, '--source-templated-object'), flags.sourceTemplatedObject);
    const data = secretDataFrom(await readYaml(flags.sourceSecretDataFile, '--source-secret-data-file'), flags.sourceSecretDataFile);
    const sources = templateSourcesFrom(
      es,
      flags.templateFromConfigMap !== undefined ? { file: flags.templateFromConfigMap, docs: await readYamlDocs(flags.templateFromConfigMap, '--template-from-config-map') } : undefined,
      flags.templateFromSecret !== undefined ? { file: flags.templateFromSecret, docs: await readYamlDocs(flags.templateFromSecret, '--template-from-secret') } : undefined,
    );
    const secret = await renderSecret(es, data, flags.operatorMetadata === true, sources);
    const text = (await yaml()).stringify(secret);
    if (flags.output) await writeFile(flags.output, text, { mode: 0o600 });
    else streams.stdout.write(text);
    return 0;
  } catch (e) {
    if (e instanceof TemplateUsageError) {
      out.usageError(e.message, 'projector template');
      return 2;
    }
    if (e instanceof ProjectorError) {
      out.error(e.describe());
      return 1;
    }
    throw e;
  }
}

/**
 * The yaml package, imported when the command runs: main.ts registers every command in every
 * process, the operator's included, which never reads YAML (docs/benchmarks.md, "Idle memory and start-up").
 */
const yaml = () => import('yaml');

async function readYaml(file: string, flag: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new TemplateUsageError(`${flag}: cannot read ${file}`);
  });
  try {
    // Kubernetes reads YAML 1.1. The parser's message is not passed on: it quotes the line.
    return (await yaml()).parse(text, { version: '1.1', prettyErrors: false });
  } catch {
    throw new TemplateUsageError(`${flag}: ${file} is not valid YAML`);
  }
}

async function readYamlDocs(file: string, flag: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new TemplateUsageError(`${flag}: cannot read ${file}`);
  });
  const docs = (await yaml()).parseAllDocuments(text, { version: '1.1', prettyErrors: false });
  // The parser's messages are not passed on: they quote the line (a Secret's values).
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) throw new TemplateUsageError(`${flag}: ${file} is not valid YAML`);
  return docs.map((d) => d.toJSON() as unknown).filter((d) => d !== null && d !== undefined);
}

/**
 * The ConfigMaps and Secrets the template's templateFrom entries read, from the files given (ESO's
 * esoctl --template-from-config-map / --template-from-secret, cmd/esoctl/template.go, which sets the
 * parser's TemplateFromConfigMap / TemplateFromSecret: pkg/controllers/templating/parser.go then
 * uses that one object for every entry, whatever name the entry gives). One object in a file does
 * the same here; several are matched by metadata.name. ConfigMap: `data` (text; ESO reads Data
 * only). Secret: `data` (base64) and `stringData` (text, wins as on the API server; ESO's esoctl
 * reads data only). An entry whose object was not given fails with the flag to give (exit 2).
 */
export function templateSourcesFrom(es: ExternalSecret, configMaps: { file: string; docs: unknown[] } | undefined, secrets: { file: string; docs: unknown[] } | undefined): TemplateSources {
  const wanted = templateSourceNames(es);
  const out = { configMaps: new Map<string, Readonly<Record<string, string>>>(), secrets: new Map<string, ReadonlyMap<string, SecretBytes>>() };
  const pick = <T>(flag: string, kind: 'ConfigMap' | 'Secret', given: { file: string; docs: unknown[] } | undefined, names: string[], convert: (doc: Record<string, unknown>, file: string) => T, into: Map<string, T>) => {
    if (names.length === 0) return;
    if (!given) throw new TemplateUsageError(`the template's templateFrom reads ${kind} ${names.map((n) => JSON.stringify(n)).join(', ')}: give ${names.length > 1 ? 'them' : 'it'} with ${flag} <file>`);
    const docs = given.docs.filter(isMap);
    const wrong = docs.find((d) => d.kind !== kind);
    if (wrong || docs.length === 0 || docs.length !== given.docs.length) throw new TemplateUsageError(`${flag}: ${given.file} must hold ${kind} manifests${wrong ? ` (found kind ${typeof wrong.kind === 'string' ? wrong.kind : '(none)'})` : ''}`);
    const nameOf = (d: Record<string, unknown>) => (isMap(d.metadata) && typeof d.metadata.name === 'string' ? d.metadata.name : undefined);
    for (const name of names) {
      // esoctl: the one object given serves every entry; several: the one of the entry's name.
      const doc = docs.length === 1 ? docs[0] : docs.find((d) => nameOf(d) === name);
      if (doc) into.set(name, convert(doc, given.file));
      // Not given: the renderer fails with ESO's "configmaps "x" not found", naming the entry's field.
    }
  };
  pick('--template-from-config-map', 'ConfigMap', configMaps, wanted.configMaps, configMapDataFrom, out.configMaps);
  pick('--template-from-secret', 'Secret', secrets, wanted.secrets, (d, f) => secretDataFrom(d, f, '--template-from-secret'), out.secrets);
  return out;
}

function configMapDataFrom(doc: Record<string, unknown>, file: string): Record<string, string> {
  const data = doc.data ?? {};
  if (!isMap(data)) throw new TemplateUsageError(`--template-from-config-map: data in ${file} must be a map`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') throw new TemplateUsageError(`--template-from-config-map: key "${k}" in ${file} must be a string`);
    out[k] = v;
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The object to render, as an ExternalSecret: a PushSecret's spec.template is the same type (ESO v1alpha1). */
export function externalSecretFrom(doc: unknown, file: string): ExternalSecret {
  if (!isMap(doc)) throw new TemplateUsageError(`--source-templated-object: ${file} is not a Kubernetes object`);
  const kind = doc.kind;
  const metadata = isMap(doc.metadata) ? doc.metadata : {};
  const spec = isMap(doc.spec) ? doc.spec : {};
  let template: unknown;
  let target: Record<string, unknown> = {};
  if (kind === 'ExternalSecret') {
    target = isMap(spec.target) ? spec.target : {};
    template = target.template;
  } else if (kind === 'PushSecret') {
    template = spec.template;
  } else {
    // esoctl's own message: "unsupported template kind".
    throw new TemplateUsageError(`--source-templated-object: unsupported kind ${typeof kind === 'string' ? kind : '(none)'} in ${file}; give an ExternalSecret or a PushSecret`);
  }
  if (!isMap(template)) throw new TemplateUsageError(`--source-templated-object: ${file} has no ${kind === 'PushSecret' ? 'spec.template' : 'spec.target.template'} to render`);
  const name = typeof metadata.name === 'string' ? metadata.name : 'rendered';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    // Orphan: the offline render has no ExternalSecret object to own the Secret; Retain: no data
    // is still something to render, not something to delete.
    spec: { target: { ...target, name: typeof target.name === 'string' ? target.name : name, template, creationPolicy: 'Orphan', deletionPolicy: 'Retain' } },
  } as unknown as ExternalSecret;
}

/**
 * The provider data: ESO's `map[string][]byte` YAML (values base64, as sigs.k8s.io/yaml decodes
 * []byte), or a v1 Secret (data base64, stringData text; stringData wins as on the API server).
 */
export function secretDataFrom(doc: unknown, file: string, flag = '--source-secret-data-file'): Map<string, SecretBytes> {
  if (doc === null || doc === undefined) return new Map();
  if (!isMap(doc)) throw new TemplateUsageError(`${flag}: ${file} must be a map of key to base64 value, or a Secret`);
  const isSecret = doc.kind === 'Secret' && (doc.apiVersion === 'v1' || doc.apiVersion === undefined);
  const out = new Map<string, SecretBytes>();
  const base64 = isSecret ? doc.data ?? {} : doc;
  if (!isMap(base64)) throw new TemplateUsageError(`${flag}: data in ${file} must be a map`);
  for (const [key, value] of Object.entries(base64)) {
    if (typeof value !== 'string') throw new TemplateUsageError(`${flag}: key "${key}" in ${file} must be a base64 string`);
    const decoded = decodeStdText(value);
    // Go's CorruptInputError gives a byte offset, never the text.
    if (!decoded.ok) throw new TemplateUsageError(`${flag}: key "${key}" in ${file} is not base64 (${decoded.message}); values are base64 as in a Secret's data (use a Secret's stringData for text)`);
    out.set(key, new Sensitive(decoded.bytes));
  }
  if (isSecret && doc.stringData !== undefined) {
    if (!isMap(doc.stringData)) throw new TemplateUsageError(`${flag}: stringData in ${file} must be a map`);
    for (const [key, value] of Object.entries(doc.stringData)) {
      if (typeof value !== 'string') throw new TemplateUsageError(`${flag}: stringData key "${key}" in ${file} must be a string`);
      out.set(key, new Sensitive(new Uint8Array(Buffer.from(value, 'utf8'))));
    }
  }
  return out;
}

/** The Secret the operator would create from `data`, as a manifest (values base64). */
export async function renderSecret(es: ExternalSecret, data: ReadonlyMap<string, SecretBytes>, operatorMetadata: boolean, templateSources?: TemplateSources): Promise<Record<string, unknown>> {
  // Loaded here: the template engine is only needed when this command runs.
  const { planTargetSecret } = await import('../../core/plan-target-secret.ts');
  const { defaultTemplateRenderer } = await import('../../core/default-template-renderer.ts');
  const { systemTemplateClock } = await import('../../platform/clock.ts');
  const plan = planTargetSecret({ es, data, live: undefined, renderTemplate: defaultTemplateRenderer(systemTemplateClock), ...(templateSources && { templateSources }) });
  if (plan.action !== 'create') throw new ProjectorError('InvalidSpec', 'the data file holds no keys: there is nothing to render (the operator would leave the Secret as it is)');
  const s = plan.secret;
  const labels = { ...s.labels };
  const annotations = { ...s.annotations };
  if (!operatorMetadata) {
    delete labels[LABEL_MANAGED];
    delete annotations[ANNOTATION_DATA_HASH];
  }
  const nonEmpty = (m: Record<string, string>) => (Object.keys(m).length > 0 ? m : undefined);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: s.namespace, labels: nonEmpty(labels), annotations: nonEmpty(annotations) },
    type: s.type,
    ...(s.immutable ? { immutable: true } : {}),
    data: Object.fromEntries([...s.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, Buffer.from(v.reveal()).toString('base64')])),
  };
}
