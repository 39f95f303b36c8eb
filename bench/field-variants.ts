// Variants of the field cases (/work/shared/field-cases: inputs that once failed in Projector), for
// bench/eso-side-by-side.ts `--cases field-variants`: each case is one more input of a kind that
// failed, run by ESO's own controller and by Projector's operator on the fake provider. Kinds that
// need Azure Key Vault itself (object names, disabled objects) are not here: the fake provider has
// no such rules; they are covered against the local vault (test/integration, test/e2e).
//
// Case namespaces start with `fv-<kind>-`, so `--only fv-imm` runs one kind.

type Obj = Record<string, any>;

/** What a step may do, as bench/eso-side-by-side.ts's Kube does it. */
export interface VariantKube {
  send(method: string, path: string, body?: unknown, contentType?: string): Promise<Obj>;
  create(o: Obj): Promise<void>;
}

export interface VariantStep {
  name: string;
  act(k: VariantKube, ns: string): Promise<void>;
  gone?: string[];
}

export interface VariantCase {
  ns: string;
  es: string[];
  secrets: string[];
  before?: Obj[];
  create: Obj[];
  steps?: VariantStep[];
}

export interface VariantHelpers {
  /** Replaces the fake store's data (a PUT of the ClusterSecretStore). */
  mutateStore(k: VariantKube, f: (data: Obj[]) => Obj[]): Promise<void>;
}

const GROUP = 'external-secrets.io';
const esPath = (ns: string, name: string) => `/apis/${GROUP}/v1/namespaces/${ns}/externalsecrets/${name}`;
const secretPath = (ns: string, name: string) => `/api/v1/namespaces/${ns}/secrets/${name}`;
const mergePatch = async (k: VariantKube, path: string, body: Obj): Promise<void> => {
  await k.send('PATCH', path, body, 'application/merge-patch+json');
};
/** A JSON patch: replaces what a merge patch can only merge into (template, data lists). */
const replaceAt = async (k: VariantKube, path: string, pointer: string, value: unknown): Promise<void> => {
  await k.send('PATCH', path, [{ op: 'replace', path: pointer, value }], 'application/json-patch+json');
};
const removeAt = async (k: VariantKube, path: string, pointer: string): Promise<void> => {
  await k.send('PATCH', path, [{ op: 'remove', path: pointer }], 'application/json-patch+json');
};

/** Keys of the fake store the variants read (prefixed, so they never clash with the matrix's). */
export const FIELD_VARIANT_STORE_DATA: Obj[] = [
  // decodingStrategy values (Go encoding/base64 decides each)
  { key: 'fv-std', value: 'YWJj' },
  { key: 'fv-unpadded', value: 'YQ' },
  { key: 'fv-url', value: '-_-_' },
  { key: 'fv-num', value: '1234' },
  { key: 'fv-trailing-bits', value: 'YR==' },
  { key: 'fv-space', value: 'YWJj ' },
  { key: 'fv-empty', value: '' },
  { key: 'fv-newline', value: 'YW\nJj' },
  { key: 'fv-pad3', value: 'YQ===' },
  { key: 'fv-crlf-after-pad', value: 'YQ==\r\n' },
  { key: 'fv-json', value: '{"a":"b"}' },
  { key: 'fv-mixed', value: 'a-b+' },
  { key: 'fv-std-slash', value: 'ab+/' },
  { key: 'fv-members', value: '{"s":"YWJj","n":1234,"t":true,"z":null,"o":{"x":1},"arr":[1],"f":1.50,"u":"dbuser","e":""}' },
  { key: 'fv-prop', value: '{"p":"YWJj","q":"YQ","deep":{"r":"-_-_"}}' },
  { key: 'fv-find-a', value: 'YWJj' },
  { key: 'fv-find-b', value: 'not base64!' },
  // rewrite inputs
  { key: 'fv-hooks', value: '{"alerts":"https://hooks.example.test/a","deploys":"https://hooks.example.test/d","x.y":"z","1st":"n"}' },
  { key: 'fv-hooks-u', value: '{"clé":"u","plain":"p"}' },
  // binary through templates: a JKS header, base64url text, text that is not base64
  { key: 'fv-keystore', value: '/u3+7QAAAAI=' },
  { key: 'fv-url-b64', value: '_-7-7QAAAAI=' },
  { key: 'fv-not-b64', value: 'plain text' },
  { key: 'fv-json-b64', value: 'eyJ1c2VyIjoiYWRtaW4ifQ==' },
  // values for the target-Secret kinds
  { key: 'fv-a', value: 'value-a' },
  { key: 'fv-b', value: 'value-b' },
  { key: 'fv-c', value: 'value-c' },
  { key: 'fv-dec-rot', value: 'YWJj' },
  { key: 'fv-gone', value: 'will-go' },
  { key: 'fv-dcfg', value: '{"auths":{"registry.example":{"auth":"dTpw"}}}' },
  { key: 'fv-tls', value: '{"crt":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n","key":"-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----\\n"}' },
  // second round (r2): decodingStrategy Auto on more values Go's encoding/base64 judges
  { key: 'fv-nl-only', value: '\n' },
  { key: 'fv-b64-ff', value: '////' },
  { key: 'fv-inner-space', value: 'YW Jj' },
  { key: 'fv-double-pad', value: 'YQ==YQ==' },
  { key: 'fv-tab', value: 'YWJj\t' },
  { key: 'fv-unicode', value: 'clé' },
  { key: 'fv-b64-lines', value: 'YWJj\nZGVm\n' },
  { key: 'fv-b64-url-pad', value: '-_8=' },
  // find over the fake store: a name the provider converts, and one key with three versions
  { key: 'fv-fconv a/b', value: 'c1' },
  { key: 'fv-fconv-v', value: 'none' },
  { key: 'fv-fconv-v', value: 'v2', version: 'v2' },
  { key: 'fv-fconv-v', value: 'v10', version: 'v10' },
  // two entries with one key: the later counts
  { key: 'fv-dup', value: 'first' },
  { key: 'fv-dup', value: 'second' },
  // ASCII that text/template's js copies or escapes
  { key: 'fv-del', value: 'a\u007fb`c=d<' },
  // JSON members with escapes Go's encoding/json reads (a lone surrogate becomes U+FFFD)
  { key: 'fv-json-esc', value: '{"e":"\\u00e9","s":"\\ud83d\\ude00","lone":"\\ud800x","sl":"a\\/b","o":{ "k" : [ 1 , 2 ] },"n":-0.0e+0,"dupe":"1","dupe":"2"}' },
];

function es(ns: string, name: string, spec: Obj, meta: { labels?: Obj; annotations?: Obj } = {}): Obj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'ExternalSecret',
    metadata: { name, namespace: ns, ...(meta.labels ? { labels: meta.labels } : {}), ...(meta.annotations ? { annotations: meta.annotations } : {}) },
    spec: { refreshInterval: '2s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake' }, ...spec },
  };
}

function secret(ns: string, name: string, extra: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, labels: { 'foreign-label': 'yes' }, annotations: { 'foreign-annotation': 'kept' }, ...(extra.metadata ?? {}) },
    type: extra.type ?? 'Opaque',
    stringData: extra.stringData ?? { foreign: 'keep' },
  };
}

const item = (secretKey: string, key: string, extra: Obj = {}) => ({ secretKey, remoteRef: { key, ...extra } });

function decoding(): VariantCase[] {
  const ns = (s: string) => `fv-dec-${s}`;
  const autoKeys = ['fv-std', 'fv-unpadded', 'fv-url', 'fv-num', 'fv-trailing-bits', 'fv-space', 'fv-empty', 'fv-newline', 'fv-pad3', 'fv-crlf-after-pad', 'fv-json', 'fv-mixed'];
  return [
    { ns: ns('auto'), es: ['app'], secrets: ['app'], create: [es(ns('auto'), 'app', { target: {}, data: autoKeys.map((k) => item(k.slice(3), k, { decodingStrategy: 'Auto' })) })] },
    { ns: ns('b64-ok'), es: ['app'], secrets: ['app'], create: [es(ns('b64-ok'), 'app', { target: {}, data: ['fv-std', 'fv-trailing-bits', 'fv-empty', 'fv-newline', 'fv-crlf-after-pad'].map((k) => item(k.slice(3), k, { decodingStrategy: 'Base64' })) })] },
    { ns: ns('b64url-ok'), es: ['app'], secrets: ['app'], create: [es(ns('b64url-ok'), 'app', { target: {}, data: ['fv-std', 'fv-url', 'fv-empty'].map((k) => item(k.slice(3), k, { decodingStrategy: 'Base64URL' })) })] },
    { ns: ns('b64-space'), es: ['app'], secrets: ['app'], create: [es(ns('b64-space'), 'app', { target: {}, data: [item('v', 'fv-space', { decodingStrategy: 'Base64' })] })] },
    { ns: ns('b64-unpadded'), es: ['app'], secrets: ['app'], create: [es(ns('b64-unpadded'), 'app', { target: {}, data: [item('v', 'fv-unpadded', { decodingStrategy: 'Base64' })] })] },
    { ns: ns('b64-pad3'), es: ['app'], secrets: ['app'], create: [es(ns('b64-pad3'), 'app', { target: {}, data: [item('v', 'fv-pad3', { decodingStrategy: 'Base64' })] })] },
    { ns: ns('b64url-std'), es: ['app'], secrets: ['app'], create: [es(ns('b64url-std'), 'app', { target: {}, data: [item('v', 'fv-std-slash', { decodingStrategy: 'Base64URL' })] })] },
    { ns: ns('extract-auto'), es: ['app'], secrets: ['app'], create: [es(ns('extract-auto'), 'app', { target: {}, dataFrom: [{ extract: { key: 'fv-members', decodingStrategy: 'Auto' } }] })] },
    { ns: ns('extract-b64'), es: ['app'], secrets: ['app'], create: [es(ns('extract-b64'), 'app', { target: {}, dataFrom: [{ extract: { key: 'fv-members', decodingStrategy: 'Base64' } }] })] },
    { ns: ns('extract-prop'), es: ['app'], secrets: ['app'], create: [es(ns('extract-prop'), 'app', { target: {}, dataFrom: [{ extract: { key: 'fv-prop', property: 'deep', decodingStrategy: 'Auto' } }] })] },
    { ns: ns('prop-auto'), es: ['app'], secrets: ['app'], create: [es(ns('prop-auto'), 'app', { target: {}, data: [item('p', 'fv-prop', { property: 'p', decodingStrategy: 'Auto' }), item('q', 'fv-prop', { property: 'q', decodingStrategy: 'Auto' }), item('r', 'fv-prop', { property: 'deep.r', decodingStrategy: 'Base64URL' })] })] },
    { ns: ns('find-auto'), es: ['app'], secrets: ['app'], create: [es(ns('find-auto'), 'app', { target: {}, dataFrom: [{ find: { name: { regexp: '^fv-find-' }, decodingStrategy: 'Auto' } }] })] },
    { ns: ns('find-b64'), es: ['app'], secrets: ['app'], create: [es(ns('find-b64'), 'app', { target: {}, dataFrom: [{ find: { name: { regexp: '^fv-find-' }, decodingStrategy: 'Base64' } }] })] },
    { ns: ns('r2-auto'), es: ['app'], secrets: ['app'], create: [es(ns('r2-auto'), 'app', { target: {}, data: ['fv-nl-only', 'fv-b64-ff', 'fv-inner-space', 'fv-double-pad', 'fv-tab', 'fv-unicode', 'fv-b64-lines', 'fv-b64-url-pad'].map((k) => item(k.slice(3), k, { decodingStrategy: 'Auto' })) })] },
    { ns: ns('r2-b64url'), es: ['app'], secrets: ['app'], create: [es(ns('r2-b64url'), 'app', { target: {}, data: ['fv-b64-url-pad', 'fv-nl-only', 'fv-b64-lines'].map((k) => item(k.slice(3), k, { decodingStrategy: 'Base64URL' })) })] },
    { ns: ns('r2-json-esc'), es: ['app'], secrets: ['app'], create: [es(ns('r2-json-esc'), 'app', { target: {}, dataFrom: [{ extract: { key: 'fv-json-esc' } }] })] },
    { ns: ns('r2-json-esc-prop'), es: ['app'], secrets: ['app'], create: [es(ns('r2-json-esc-prop'), 'app', { target: {}, data: ['e', 's', 'lone', 'sl', 'o', 'n', 'dupe'].map((p) => item(p, 'fv-json-esc', { property: p })) })] },
    { ns: ns('r2-dup'), es: ['app'], secrets: ['app'], create: [es(ns('r2-dup'), 'app', { target: {}, data: [item('d', 'fv-dup')], dataFrom: [{ find: { name: { regexp: '^fv-dup$' } } }] })] },
    { ns: ns('r2-find-versions'), es: ['app'], secrets: ['app'], create: [es(ns('r2-find-versions'), 'app', { target: {}, dataFrom: [{ find: { name: { regexp: '^fv-fconv' } } }] })] },
    { ns: ns('r2-find-unicode'), es: ['app'], secrets: ['app'], create: [es(ns('r2-find-unicode'), 'app', { target: {}, dataFrom: [{ find: { name: { regexp: '^fv-fconv ' }, conversionStrategy: 'Unicode' } }] })] },
    {
      // A value that decodes becomes one that does not: the Secret keeps its last good data.
      ns: ns('b64-rotated-bad'),
      es: ['app'],
      secrets: ['app'],
      create: [es(ns('b64-rotated-bad'), 'app', { target: {}, data: [item('v', 'fv-dec-rot', { decodingStrategy: 'Base64' })] })],
      steps: [],
    },
  ];
}

function rewrite(): VariantCase[] {
  const cases: [string, Obj[]][] = [
    ['dollar-unbraced', [{ regexp: { source: '(.*)', target: '$1_MONITOR' } }]],
    ['dollar-dash', [{ regexp: { source: '(.*)', target: '$1-x' } }]],
    ['named-p', [{ regexp: { source: '^(?P<name>[a-z]+)$', target: '${name}_2' } }]],
    ['named-angle', [{ regexp: { source: '^(?<n>[a-z]+)$', target: 'k-${n}' } }]],
    ['named-unbraced', [{ regexp: { source: '^(?P<n>[a-z]+)$', target: '$n.conf' } }]],
    ['double-dollar', [{ regexp: { source: '^alerts$', target: 'a$$b' } }]],
    ['unclosed-brace', [{ regexp: { source: '^alerts$', target: 'x-${1' } }]],
    ['empty-match', [{ regexp: { source: 'x*', target: '-' } }]],
    ['case-insensitive', [{ regexp: { source: '(?i)ALERTS', target: 'A' } }]],
    ['word-class', [{ regexp: { source: '^(\\w+)$', target: '${1}.conf' } }]],
    ['dot-class', [{ regexp: { source: '[.]', target: '_' } }]],
    ['leading-zero', [{ regexp: { source: '^(alerts)$', target: 'k$01' } }]],
    ['group-10', [{ regexp: { source: '^(alerts)$', target: 'k$10' } }]],
    ['backslash-one', [{ regexp: { source: '^(alerts)$', target: 'k\\1' } }]],
    ['chain', [{ regexp: { source: '^(.*)$', target: 'p-${1}' } }, { regexp: { source: '^p-(.*)s$', target: '${1}' } }, { regexp: { source: '\\.', target: '-' } }]],
    ['transform', [{ transform: { template: '{{ .value | upper | replace "." "_" }}' } }]],
    ['transform-then-regexp', [{ transform: { template: 'pre-{{ .value }}' } }, { regexp: { source: '^pre-(.*)$', target: '${1}-post' } }]],
    ['digits-only', [{ regexp: { source: '^[0-9].*', target: '' } }]],
    // second round: transform with a key that is not in the data (ESO parses it without missingkey=error)
    ['r2-transform-missing', [{ transform: { template: '{{ .other | default .value }}-k' } }]],
    ['r2-transform-if-missing', [{ transform: { template: '{{ if .other }}x{{ end }}{{ .value | replace "." "-" }}' } }]],
    ['r2-empty-source', [{ regexp: { source: '', target: '_' } }]],
    ['r2-end-anchor', [{ regexp: { source: '$', target: '.end' } }]],
    ['r2-optional-group', [{ regexp: { source: '^(x)?(.*)$', target: '${1}${2}-o' } }]],
    ['r2-whole-match', [{ regexp: { source: '^.*$', target: 'k-${0}' } }]],
    ['r2-brace-quantifier', [{ regexp: { source: 'e{1,2}', target: 'E' } }]],
    ['r2-nongreedy', [{ regexp: { source: '^(.*?)s', target: '${1}S' } }]],
    ['r2-unicode-class', [{ regexp: { source: '^\\pL', target: 'L' } }]],
    ['r2-multiline', [{ regexp: { source: '(?m)^a', target: 'A' } }]],
    ['r2-unknown-name', [{ regexp: { source: '^(.*)$', target: '${nope}${1}' } }]],
    ['r2-dollar-digit-letter', [{ regexp: { source: '^(a)(.*)$', target: '$2$1z' } }]],
    ['r2-class-alias', [{ regexp: { source: '^\\p{letter}([\\p{ascii}]*)$', target: 'L${1}' } }]],
  ];
  const out: VariantCase[] = cases.map(([id, rw]) => ({
    ns: `fv-rw-${id}`,
    es: ['app'],
    secrets: ['app'],
    create: [es(`fv-rw-${id}`, 'app', { target: {}, dataFrom: [{ extract: { key: 'fv-hooks' }, rewrite: rw }] })],
  }));
  out.push({
    ns: 'fv-rw-unicode',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-rw-unicode', 'app', { target: {}, dataFrom: [{ extract: { key: 'fv-hooks-u' }, rewrite: [{ regexp: { source: 'é', target: 'e' } }] }] })],
  });
  out.push({
    // The fake provider converts found names before the rewrite sees them (fake.go GetAllSecrets).
    ns: 'fv-rw-r2-find-conv',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-rw-r2-find-conv', 'app', { target: {}, dataFrom: [{ find: { name: { regexp: '^fv-fconv' } }, rewrite: [{ regexp: { source: '^fv-', target: '' } }] }] })],
  });
  out.push({
    ns: 'fv-rw-find',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-rw-find', 'app', { target: {}, dataFrom: [{ find: { name: { regexp: '^fv-find-' } }, rewrite: [{ regexp: { source: '^fv-find-(?P<x>.)$', target: '${x}_KEY' } }] }] })],
  });
  return out;
}

function binaryTemplates(): VariantCase[] {
  const tpl: Record<string, string> = {
    roundtrip: '{{ .ks | b64dec | b64enc }}',
    tostring: '{{ .ks | b64dec | toString }}',
    len: '{{ .ks | b64dec | len }}',
    sha: '{{ .ks | b64dec | sha256sum }}',
    quote: '{{ .ks | b64dec | quote }}',
    squote: '{{ .ks | b64dec | squote }}',
    trim: '{{ .ks | b64dec | trim }}',
    printf: '{{ printf "%s" (.ks | b64dec) }}',
    printfq: '{{ printf "%q" (.ks | b64dec) }}',
    printfx: '{{ printf "%x" (.ks | b64dec) }}',
    tojson: '{{ .ks | b64dec | toJson }}',
    fromjson: '{{ .ks | b64dec | fromJson }}',
    fromjsonok: '{{ (.js | b64dec | fromJson).user }}',
    invalid: '{{ .txt | b64dec }}',
    urlinput: '{{ .url | b64dec }}',
    trunc: '{{ .ks | b64dec | trunc 3 | b64enc }}',
    substr: '{{ .ks | b64dec | substr 1 4 | b64enc }}',
    nospace: '{{ .ks | b64dec | nospace | b64enc }}',
    replace: '{{ .ks | b64dec | replace "\\x00" "" | b64enc }}',
    indent: '{{ .ks | b64dec | indent 2 | b64enc }}',
    cat: '{{ cat (.ks | b64dec) "x" | b64enc }}',
    b32: '{{ .ks | b64dec | b32enc | b32dec | b64enc }}',
    hex: '{{ .ks | b64dec | printf "%x" | hexdec | b64enc }}',
    contains: '{{ contains "\\x00" (.ks | b64dec) }}',
    eq: '{{ eq (.ks | b64dec) (.ks | b64dec) }}',
    kebab: '{{ .ks | b64dec | kebabcase | b64enc }}',
    initials: '{{ .ks | b64dec | initials | b64enc }}',
    wrap: '{{ .ks | b64dec | wrap 2 | b64enc }}',
    abbrev: '{{ .ks | b64dec | abbrev 5 | b64enc }}',
    regexrepl: '{{ regexReplaceAll "\\x00+" (.ks | b64dec) "0" | b64enc }}',
    repeat: '{{ .ks | b64dec | repeat 2 | b64enc }}',
    plain: '{{ .ks | b64dec }}',
  };
  const data = [item('ks', 'fv-keystore'), item('txt', 'fv-not-b64'), item('url', 'fv-url-b64'), item('js', 'fv-json-b64')];
  const out: VariantCase[] = [{
    ns: 'fv-bin-funcs',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-funcs', 'app', { target: { template: { data: tpl } }, data })],
  }];
  out.push({
    // decodingStrategy first, then the template sees the binary value.
    ns: 'fv-bin-decoded-first',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-decoded-first', 'app', { target: { template: { data: { enc: '{{ .ks | b64enc }}', raw: '{{ .ks }}', len: '{{ len .ks }}' } } }, data: [item('ks', 'fv-keystore', { decodingStrategy: 'Base64' })] })],
  });
  out.push({
    ns: 'fv-bin-literal',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-literal', 'app', { target: { template: { templateFrom: [{ literal: 'ks.bin: {{ .ks | b64dec | b64enc }}\nraw: {{ .ks | b64dec | quote }}' }] } }, data })],
  });
  out.push({
    ns: 'fv-bin-merge',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-merge', 'app', { target: { template: { mergePolicy: 'Merge', data: { 'ks.jks': '{{ .ks | b64dec }}' } } }, data: [item('ks', 'fv-keystore')] })],
  });
  const tpl2: Record<string, string> = {
    js: '{{ .ks | b64dec | js | b64enc }}',
    html: '{{ .ks | b64dec | html | b64enc }}',
    urlquery: '{{ .ks | b64dec | urlquery }}',
    plusq: '{{ printf "%+q" (.ks | b64dec) }}',
    hashq: '{{ printf "%#q" (.ks | b64dec) }}',
    upper: '{{ .ks | b64dec | upper | b64enc }}',
    title: '{{ .ks | b64dec | title | b64enc }}',
    swapcase: '{{ .ks | b64dec | swapcase | b64enc }}',
    splitlen: '{{ .ks | b64dec | splitList "" | len }}',
    pad: '{{ printf "%-12s|" (.ks | b64dec) | b64enc }}',
    prec: '{{ printf "%.3s" (.ks | b64dec) | b64enc }}',
    sha1: '{{ .ks | b64dec | sha1sum }}',
    adler: '{{ .ks | b64dec | adler32sum }}',
    regexfind: '{{ .ks | b64dec | regexFind "[^\\x00]+" | b64enc }}',
    toyaml: '{{ .ks | b64dec | toYaml | b64enc }}',
    urlb64: '{{ .url | b64dec | b64enc }}',
    del: '{{ .del | js }}',
    delq: '{{ .del | quote }}',
  };
  out.push({
    ns: 'fv-bin-r2-funcs',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-r2-funcs', 'app', { target: { template: { data: tpl2 } }, data: [...data, item('del', 'fv-del')] })],
  });
  out.push({
    // templateFrom[].valuesDecodingStrategy decodes each rendered value (template.go mapScopeApply).
    ns: 'fv-bin-r2-values-decoding',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-r2-values-decoding', 'app', { target: { template: { templateFrom: [
      { literal: 'ks.bin: "{{ .ks }}"\nplain: dbuser\nempty: ""\nurl: "{{ .url }}"', valuesDecodingStrategy: 'Auto' },
      { literal: 'std.bin: "{{ .ks }}"', valuesDecodingStrategy: 'Base64' },
      { literal: 'url.bin: "{{ .url }}"', valuesDecodingStrategy: 'Base64URL' },
    ] } }, data })],
  });
  out.push({
    ns: 'fv-bin-annotation',
    es: ['app'],
    secrets: ['app'],
    create: [es('fv-bin-annotation', 'app', { target: { template: { metadata: { annotations: { sum: '{{ .ks | b64dec | sha256sum }}', size: '{{ .ks | b64dec | len }}' } } } }, data: [item('ks', 'fv-keystore')] })],
  });
  return out;
}

function labels(): VariantCase[] {
  const L = { team: 'blue', 'app.kubernetes.io/name': 'demo' };
  const A = { note: 'hello', 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"ExternalSecret"}' };
  const data = [item('a', 'fv-a')];
  const c = (id: string, spec: Obj, meta: Obj = { labels: L, annotations: A }, extra: Partial<VariantCase> = {}): VariantCase => ({
    ns: `fv-lbl-${id}`,
    es: ['app'],
    secrets: ['app'],
    create: [es(`fv-lbl-${id}`, 'app', { data, ...spec }, meta)],
    ...extra,
  });
  return [
    c('no-template', { target: {} }),
    c('empty-template', { target: { template: {} } }),
    c('type-only-template', { target: { template: { type: 'example.com/x' } } }),
    c('engine-only-template', { target: { template: { engineVersion: 'v2' } } }),
    c('templated-values', { target: { template: { metadata: { labels: { tier: '{{ .a | trunc 5 }}', fixed: 'x' }, annotations: { 'example.com/sum': '{{ .a | sha256sum | trunc 8 }}' } } } } }),
    c('reserved-keys', { target: {} }, { labels: { 'reconcile.external-secrets.io/managed': 'false', 'reconcile.external-secrets.io/created-by': 'me' }, annotations: { 'reconcile.external-secrets.io/data-hash': 'x', 'force-sync': '1' } }),
    c('reserved-keys-orphan', { target: { creationPolicy: 'Orphan' } }, { labels: { 'reconcile.external-secrets.io/created-by': 'me' } }),
    c('template-metadata-and-es-labels', { target: { template: { metadata: { labels: { tier: 'backend' } } } } }),
    c('add-template', { target: {} }, { labels: L, annotations: A }, {
      steps: [{ name: 'template-added', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { metadata: { labels: { tier: 'backend' }, annotations: { 'example.com/t': 'yes' } } } } } }) }],
    }),
    c('remove-template', { target: { template: { metadata: { labels: { tier: 'backend' }, annotations: { 'example.com/t': 'yes' } } } } }, { labels: L, annotations: A }, {
      steps: [{ name: 'template-removed', act: (k, ns) => removeAt(k, esPath(ns, 'app'), '/spec/target/template') }],
    }),
    c('label-value-changed', { target: {} }, { labels: L, annotations: A }, {
      steps: [{ name: 'label-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { team: 'red' }, annotations: { note: 'bye' } } }) }],
    }),
    c('merge-existing', { target: { creationPolicy: 'Merge' } }, { labels: { ...L, 'foreign-label': 'mine' }, annotations: A }, {
      before: [secret('fv-lbl-merge-existing', 'app')],
      steps: [{ name: 'labels-removed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { team: null, 'foreign-label': null } } }) }],
    }),
    c('merge-same-value', { target: { creationPolicy: 'Merge' } }, { labels: { 'foreign-label': 'yes', team: 'blue' } }, {
      before: [secret('fv-lbl-merge-same-value', 'app')],
      steps: [{ name: 'labels-removed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { team: null, 'foreign-label': null } } }) }],
    }),
    c('templatefrom-labels', { target: { template: { templateFrom: [{ target: 'Labels', literal: 'from-literal: "{{ .a | trunc 3 }}"' }, { target: 'Annotations', literal: 'lit.example.com/a: "{{ .a }}"' }] } } }),
    c('template-finalizer', { target: { template: { metadata: { finalizers: ['example.com/keep'] } } } }),
    // second round
    c('r2-empty-values', { target: {} }, { labels: { empty: '', 'example.com/team': 'x' }, annotations: { 'example.com/empty': '', long: 'v'.repeat(5000), 'multi.line/a': 'l1\nl2' } }),
    c('r2-annotation-removed', { target: {} }, { labels: L, annotations: A }, {
      steps: [{ name: 'annotation-removed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { annotations: { note: null } } }) }],
    }),
    c('r2-metadata-empty', { target: { template: { metadata: {} } } }),
    c('r2-mergepolicy-only', { target: { template: { mergePolicy: 'Merge' } } }),
    c('r2-prefixed-template', { target: { template: { metadata: { labels: { 'example.com/tier': 'a', 'sub.example.com/x': '{{ .a | upper | trunc 3 }}' }, annotations: { 'a.b.c/d': 'e', 'example.com/empty': '' } } } } }),
    c('r2-template-label-removed', { target: { template: { metadata: { labels: { tier: 'a', keep: 'b' }, annotations: { 'example.com/x': 'y' } } } } }, { labels: L, annotations: A }, {
      steps: [{ name: 'template-label-removed', act: (k, ns) => replaceAt(k, esPath(ns, 'app'), '/spec/target/template/metadata', { labels: { keep: 'b' } }) }],
    }),
    c('r2-orphan-labels-removed', { target: { creationPolicy: 'Orphan' } }, { labels: L, annotations: A }, {
      steps: [{ name: 'labels-removed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { team: null }, annotations: { note: null } } }) }],
    }),
  ];
}

/** Each immutable case reads its own remote key `<ns>-v`, rotated by its last step. */
function immutable(): VariantCase[] {
  const c = (id: string, target: Obj, steps: VariantStep[], meta: Obj = { labels: { team: 'blue' } }, before?: Obj[]): VariantCase => ({
    ns: `fv-imm-${id}`,
    es: ['app'],
    secrets: ['app'],
    before,
    create: [es(`fv-imm-${id}`, 'app', { target, data: [item('v', `fv-imm-${id}-v`)] }, meta)],
    steps,
  });
  const keyAdded = (k: VariantKube, ns: string) => replaceAt(k, esPath(ns, 'app'), '/spec/data', [item('v', `${ns}-v`), item('w', 'fv-a')]);
  return [
    c('labels-changed', { immutable: true }, [{ name: 'es-label-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { team: 'red' } } }) }]),
    c('type-changed', { immutable: true, template: { type: 'Opaque' } }, [{ name: 'type-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'example.com/other' } } } }) }]),
    c('template-data-changed', { immutable: true, template: { data: { v: '{{ .v }}' } } }, [{ name: 'template-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { data: { v: '{{ .v }}-2', w: 'new' } } } } }) }]),
    c('template-labels-changed', { immutable: true, template: { metadata: { labels: { tier: 'a' } } } }, [{ name: 'template-labels-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { metadata: { labels: { tier: 'b' } } } } } }) }]),
    c('turned-on-then-key-added', {}, [
      { name: 'immutable-on', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { immutable: true } } }) },
      { name: 'key-added', act: keyAdded },
    ]),
    c('turned-off-then-key-added', { immutable: true }, [
      { name: 'immutable-off', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { immutable: false } } }) },
      { name: 'key-added', act: keyAdded },
    ]),
    c('made-immutable-elsewhere-labels', {}, [
      { name: 'secret-made-immutable', act: (k, ns) => mergePatch(k, secretPath(ns, 'app'), { immutable: true }) },
      { name: 'es-label-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { metadata: { labels: { team: 'red' } } }) },
      { name: 'key-added', act: keyAdded },
    ]),
    c('merge-existing', { creationPolicy: 'Merge', immutable: true }, [], { labels: { team: 'blue' } }, [secret('fv-imm-merge-existing', 'app')]),
    c('orphan-existing', { creationPolicy: 'Orphan', immutable: true }, [], { labels: { team: 'blue' } }, [secret('fv-imm-orphan-existing', 'app')]),
    c('target-deleted', { immutable: true }, [
      { name: 'key-added', act: keyAdded },
      { name: 'secret-deleted', act: (k, ns) => k.send('DELETE', secretPath(ns, 'app')).then(() => undefined) },
    ]),
    c('deletion-delete', { immutable: true, deletionPolicy: 'Delete' }, [
      { name: 'remote-key-renamed', act: (k, ns) => replaceAt(k, esPath(ns, 'app'), '/spec/data', [item('v', 'fv-does-not-exist')]) },
    ]),
  ];
}

function ownerMerge(): VariantCase[] {
  const c = (id: string, before: Obj[] | undefined, create: Obj[], steps: VariantStep[], esNames: string[], secrets = ['shared']): VariantCase => ({ ns: `fv-om-${id}`, es: esNames, secrets, before, create, steps });
  const E = (ns: string, name: string, policy: string, data: Obj[], extra: Obj = {}) => es(ns, name, { target: { name: 'shared', creationPolicy: policy, ...extra }, data });
  return [
    c('com-rename', undefined, [E('fv-om-com-rename', 'one', 'CreateOrMerge', [item('a', 'fv-a')]), E('fv-om-com-rename', 'two', 'CreateOrMerge', [item('b', 'fv-b')])], [
      { name: 'one-renames-a', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/data', [item('a2', 'fv-a')]) },
    ], ['one', 'two']),
    c('merge-rename', [secret('fv-om-merge-rename', 'shared')], [E('fv-om-merge-rename', 'one', 'Merge', [item('a', 'fv-a')]), E('fv-om-merge-rename', 'two', 'Merge', [item('b', 'fv-b')])], [
      { name: 'one-renames-a', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/data', [item('a2', 'fv-a')]) },
      { name: 'two-takes-foreign', act: (k, ns) => replaceAt(k, esPath(ns, 'two'), '/spec/data', [item('b', 'fv-b'), item('foreign', 'fv-c')]) },
      { name: 'two-drops-foreign', act: (k, ns) => replaceAt(k, esPath(ns, 'two'), '/spec/data', [item('b', 'fv-b')]) },
    ], ['one', 'two']),
    c('owner-rename', undefined, [E('fv-om-owner-rename', 'one', 'Owner', [item('a', 'fv-a'), item('b', 'fv-b')])], [
      { name: 'renamed', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/data', [item('a2', 'fv-a')]) },
    ], ['one']),
    c('merge-then-owner', undefined, [E('fv-om-merge-then-owner', 'merger', 'Merge', [item('b', 'fv-b')])], [
      { name: 'owner-added', act: (k, ns) => k.create(E(ns, 'owner', 'Owner', [item('a', 'fv-a')])) },
    ], ['merger', 'owner']),
    c('merge-deletion-merge', [secret('fv-om-merge-deletion-merge', 'shared')], [E('fv-om-merge-deletion-merge', 'one', 'Merge', [item('g', 'fv-gone')], { deletionPolicy: 'Merge' }), E('fv-om-merge-deletion-merge', 'two', 'Merge', [item('b', 'fv-b')])], [
      { name: 'remote-renamed-away', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/data', [item('g', 'fv-not-there')]) },
    ], ['one', 'two']),
    c('merge-foreign-controller', [secret('fv-om-merge-foreign-controller', 'owner-obj', { stringData: { x: 'y' } })], [E('fv-om-merge-foreign-controller', 'one', 'Merge', [item('a', 'fv-a')])], [
      { name: 'secret-created-with-controller', act: async (k, ns) => {
        const owner = await k.send('GET', secretPath(ns, 'owner-obj'));
        await k.create(secret(ns, 'shared', { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: 'owner-obj', uid: owner.metadata.uid, controller: true }] } }));
      } },
    ], ['one']),
    c('owner-foreign-controller', [secret('fv-om-owner-foreign-controller', 'owner-obj', { stringData: { x: 'y' } })], [], [
      { name: 'secret-created-with-controller', act: async (k, ns) => {
        const owner = await k.send('GET', secretPath(ns, 'owner-obj'));
        await k.create(secret(ns, 'shared', { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: 'owner-obj', uid: owner.metadata.uid, controller: true }] } }));
      } },
      { name: 'owner-es-added', act: (k, ns) => k.create(E(ns, 'one', 'Owner', [item('a', 'fv-a')])) },
    ], ['one']),
    c('owner-to-merge', undefined, [E('fv-om-owner-to-merge', 'one', 'Owner', [item('a', 'fv-a')])], [
      { name: 'policy-merge', act: (k, ns) => mergePatch(k, esPath(ns, 'one'), { spec: { target: { creationPolicy: 'Merge' } } }) },
      { name: 'merge-es-added', act: (k, ns) => k.create(E(ns, 'two', 'Merge', [item('b', 'fv-b')])) },
      { name: 'one-renames-a', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/data', [item('a2', 'fv-a')]) },
    ], ['one', 'two']),
    c('com-and-owner', undefined, [E('fv-om-com-and-owner', 'one', 'CreateOrMerge', [item('a', 'fv-a')])], [
      { name: 'owner-added', act: (k, ns) => k.create(E(ns, 'two', 'Owner', [item('b', 'fv-b')])) },
    ], ['one', 'two']),
    c('owner-template-merge', undefined, [es('fv-om-owner-template-merge', 'one', { target: { name: 'shared', creationPolicy: 'Owner', template: { mergePolicy: 'Merge', data: { t: '{{ .a }}-t' } } }, data: [item('a', 'fv-a')] })], [
      { name: 'template-key-renamed', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/target/template/data', { t2: '{{ .a }}-t' }) },
      { name: 'merge-policy-replace', act: (k, ns) => replaceAt(k, esPath(ns, 'one'), '/spec/target/template/mergePolicy', 'Replace') },
    ], ['one']),
  ];
}

function typeChange(): VariantCase[] {
  const c = (id: string, target: Obj, steps: VariantStep[], data: Obj[] = [item('v', 'fv-a')], before?: Obj[]): VariantCase => ({ ns: `fv-type-${id}`, es: ['app'], secrets: ['app'], before, create: [es(`fv-type-${id}`, 'app', { target, data })], steps });
  const tlsData = [item('tls.crt', 'fv-tls', { property: 'crt' }), item('tls.key', 'fv-tls', { property: 'key' })];
  return [
    c('template-removed', { template: { type: 'kubernetes.io/tls' } }, [{ name: 'template-removed', act: (k, ns) => removeAt(k, esPath(ns, 'app'), '/spec/target/template') }], tlsData),
    c('type-emptied', { template: { type: 'kubernetes.io/tls', data: { 'tls.crt': '{{ index . "tls.crt" }}', 'tls.key': '{{ index . "tls.key" }}' } } }, [{ name: 'type-removed', act: (k, ns) => removeAt(k, esPath(ns, 'app'), '/spec/target/template/type') }], tlsData),
    c('to-opaque', { template: { type: 'kubernetes.io/tls' } }, [{ name: 'to-opaque', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'Opaque' } } } }) }], tlsData),
    c('orphan', { creationPolicy: 'Orphan', template: { type: 'Opaque' } }, [{ name: 'type-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'example.com/x' } } } }) }]),
    c('owner-adopted', { creationPolicy: 'Owner', template: { type: 'Opaque' } }, [{ name: 'type-changed', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'example.com/x' } } } }) }], [item('v', 'fv-a')], [secret('fv-type-owner-adopted', 'app')]),
    c('to-tls-missing-key', { template: { type: 'Opaque' } }, [{ name: 'to-tls', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'kubernetes.io/tls' } } } }) }]),
    c('merge-policy-changed', { template: { mergePolicy: 'Replace', data: { t: '{{ .v }}-t' } } }, [{ name: 'merge-policy-merge', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { mergePolicy: 'Merge' } } } }) }]),
    c('type-and-rename', { template: { type: 'Opaque' } }, [{ name: 'type-and-name', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { name: 'app2', template: { type: 'example.com/x' } } } }) }]),
    c('dockercfg-template', { template: { type: 'Opaque', data: { '.dockerconfigjson': '{{ .d }}' } } }, [{ name: 'to-dockerconfigjson', act: (k, ns) => mergePatch(k, esPath(ns, 'app'), { spec: { target: { template: { type: 'kubernetes.io/dockerconfigjson' } } } }) }], [item('d', 'fv-dcfg')]),
  ];
}

/** The fake store's data the variants read: the shared keys and one rotating key per immutable case. */
export function fieldVariantStoreData(): Obj[] {
  return [...FIELD_VARIANT_STORE_DATA, ...immutable().map((c) => ({ key: `${c.ns}-v`, value: 'first' }))];
}

/** ClusterExternalSecrets: externalSecretMetadata (and the CES's force-sync annotation) on the ExternalSecret, and so on the Secret. */
function clusterExternalSecrets(): VariantCase[] {
  const ns = 'fv-ces-labels';
  const path = `/apis/${GROUP}/v1/clusterexternalsecrets/fv-ces`;
  return [{
    ns,
    es: ['fv-ces'],
    secrets: ['fv-ces-target'],
    create: [{
      apiVersion: `${GROUP}/v1`,
      kind: 'ClusterExternalSecret',
      // ESO mirrors external-secrets.io/force-sync (AnnotationForceSync); a plain force-sync is not copied.
      metadata: { name: 'fv-ces', annotations: { 'external-secrets.io/force-sync': '1', 'force-sync': '1' } },
      spec: {
        namespaces: [ns],
        refreshTime: '2s',
        externalSecretMetadata: { labels: { team: 'blue', drop: 'me' }, annotations: { note: 'from-ces' } },
        externalSecretSpec: { refreshInterval: '2s', secretStoreRef: { kind: 'ClusterSecretStore', name: 'fake' }, target: { name: 'fv-ces-target' }, data: [item('a', 'fv-a')] },
      },
    }],
    steps: [
      { name: 'metadata-label-removed', act: (k) => mergePatch(k, path, { spec: { externalSecretMetadata: { labels: { drop: null } } } }) },
      { name: 'force-sync-changed', act: (k) => mergePatch(k, path, { metadata: { annotations: { 'external-secrets.io/force-sync': '2', 'force-sync': '2' } } }) },
      { name: 'force-sync-removed', act: (k) => mergePatch(k, path, { metadata: { annotations: { 'external-secrets.io/force-sync': null } } }) },
      { name: 'template-added', act: (k) => mergePatch(k, path, { spec: { externalSecretSpec: { target: { template: { metadata: { labels: { tier: 'x' } } } } } } }) },
    ],
  }];
}

/** Every field-variant case; `h` gives the steps that change the store. */
export function fieldVariants(h: VariantHelpers): VariantCase[] {
  const out = [...decoding(), ...rewrite(), ...binaryTemplates(), ...labels(), ...clusterExternalSecrets(), ...immutable(), ...ownerMerge(), ...typeChange()];
  const rot = out.find((c) => c.ns === 'fv-dec-b64-rotated-bad')!;
  rot.steps = [{ name: 'value-not-base64', act: (k) => h.mutateStore(k, (d) => d.map((e) => (e.key === 'fv-dec-rot' ? { ...e, value: 'YWJj ' } : e))) }];
  // The value rotation for the immutable cases runs after their spec steps.
  for (const c of out.filter((x) => x.ns.startsWith('fv-imm-'))) {
    const key = `${c.ns}-v`;
    c.steps = [...(c.steps ?? []), { name: 'value-rotated', act: (k) => h.mutateStore(k, (d) => d.map((e) => (e.key === key ? { ...e, value: 'second' } : e))) }];
  }
  for (const c of out.filter((x) => x.ns === 'fv-type-type-and-rename')) c.secrets = ['app', 'app2'];
  return out;
}
