/**
 * The corpus of the Go differential test (go-differential.test.ts): templates with their data, run
 * through Projector's engine and through Go (test/template-go). Expected results are never written
 * here: Go computes them on every run.
 *
 * Three parts:
 * - the language: every construct of text/template (actions, pipelines, variables, control
 *   structures, define/template/block, comments, trim markers, builtins, literals, errors);
 * - the functions: every sprig function ESO exposes and every ESO function, on ordinary and edge
 *   inputs (empty, unicode, bytes that are not UTF-8, JSON-looking text, about 1 MB);
 * - a seeded random generator of compositions (pipelines of 1–4 functions over the data values).
 *
 * Channels cannot be ranged over: no template value is a channel (the data is map[string]string
 * and no function returns one), so `range` is exercised over lists, maps, integers, strings (an
 * error in Go) and nil. Functions whose results are random or depend on the clock are checked
 * through deterministic projections (a length, a format) so Go's own output is reproducible.
 */
import { readFileSync } from 'node:fs';
import type { RenderRequest } from '../../../support/template-go.ts';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** Bytes that are not UTF-8 (a PKCS#12 or a random key is like this). */
const BINARY = new Uint8Array([0xff, 0xfe, 0x00, 0x41, 0x80, 0xc3, 0x28, 0x0a]);
const MIXED = new Uint8Array([...Buffer.from('abc'), 0xe9, ...Buffer.from('déf')]); // latin-1 é then UTF-8 é

/** Certificates, keys, PKCS#12 files, JWKs and RSA-OAEP ciphertexts made once with Go for these tests only. */
const MATERIAL = JSON.parse(readFileSync(new URL('../../../fixtures/template-differential/material.json', import.meta.url), 'utf8')) as Record<string, string>;

/** The default data: text values of the kinds secrets hold. */
export const TEXT_DATA: Readonly<Record<string, string>> = {
  user: 'admin',
  password: 's3cr3t!&<>"\'',
  host: 'db.example.com',
  port: '5432',
  json: '{"a":{"b":[1,2,{"c":"d"}]},"n":1.5,"i":3,"big":12345678901234567890,"s":"x<y","t":true,"z":null,"e":[],"m":{}}',
  jsonArr: '[1,"two",{"three":3},null,true]',
  jsonStr: '"just a string"',
  yaml: 'a: 1\nb:\n  - x\n  - y\nc: yes\nd: 2024-01-02\ne: 12:30:45\nf: ~\ng: "quoted"\nh: 0x1F\n',
  csv: 'a,b,,c',
  multi: 'line1\nline2\n',
  crlf: 'l1\r\nl2\r\n',
  uni: 'héllo wörld ß ǅ ﬃ İ 日本語 😀',
  greek: 'ΣΊΣΥΦΟΣ',
  empty: '',
  space: '  padded \t\n',
  num: '42',
  neg: '-17',
  float: '3.14159',
  sci: '1e3',
  hexnum: '0x1F',
  big: '99999999999999999999',
  nan: 'NaN',
  inf: '+Inf',
  bool: 'true',
  b64: 'aGVsbG8gd29ybGQ=',
  b64url: 'aGk_Pz8-',
  b64bad: 'not base64!',
  b32: 'NBSWY3DP',
  hex: '68656c6c6f',
  html: '<a href="x?y=1&z=2">O\'Neil & co</a>',
  url: 'https://user:pa ss@example.com:8443/p/a th?q=1&r=a b#frag',
  path: '/etc/ssl/../certs/ca.pem',
  words: 'the quick brown_fox-jumps over TheLazyDog',
  camel: 'HTTPServerURL_id',
  semver: '1.2.3-beta.1+build',
  date: '2024-03-04T05:06:07Z',
  list: 'b a c a',
  ws: ' \t\n\v\f\r\u0085\u00a0',
  dollar: '$1 ${2} $$',
  newline: '\n',
};

export interface DiffCase extends RenderRequest {
  readonly group: string;
}

function textData(extra: Record<string, string> = {}): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries({ ...TEXT_DATA, ...extra })) out[k] = enc(v);
  return out;
}

const STD = textData();
const WITH_BINARY: Record<string, Uint8Array> = { ...STD, bin: BINARY, mixed: MIXED, nul: new Uint8Array([0x61, 0x00, 0x62]) };
const CERTS: Record<string, Uint8Array> = {
  ...textData(MATERIAL),
  pfxBin: new Uint8Array(Buffer.from(MATERIAL.pfxNoPass!, 'base64')),
  pfxLegacyBin: new Uint8Array(Buffer.from(MATERIAL.pfxLegacyPass!, 'base64')),
  pfxEcBin: new Uint8Array(Buffer.from(MATERIAL.pfxEcKey!, 'base64')),
  oaepBin: new Uint8Array(Buffer.from(MATERIAL.oaepSha256!, 'base64')),
};

type Row = readonly [name: string, template: string];

function group(name: string, data: Record<string, Uint8Array>, rows: readonly Row[]): DiffCase[] {
  return rows.map(([n, template]) => ({ group: name, name: `${name}/${n}`, template, data }));
}

// ---------------------------------------------------------------------------------------------
// The language
// ---------------------------------------------------------------------------------------------

const LANGUAGE: Row[] = [
  ['text-only', 'plain text, no actions'],
  ['empty-template', ''],
  ['field', '{{ .user }}'],
  ['dot', '{{ . }}'],
  ['root-var', '{{ $ }}'],
  ['root-field', '{{ $.host }}'],
  ['missing-key', 'x{{ .nope }}'],
  ['missing-key-index', '{{ index . "nope" }}|'],
  ['field-on-string', '{{ .user.name }}'],
  ['paren-pipeline', '{{ (.user) }}'],
  ['paren-field', '{{ (fromJson .json).a.b }}'],
  ['pipe', '{{ .user | upper | printf "%s!" }}'],
  ['pipe-last-arg', '{{ "a" | printf "%s-%s" "b" }}'],
  ['pipe-to-literal', '{{ .user | "x" }}'],
  ['decl', '{{ $x := .user }}{{ $x }}'],
  ['assign', '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}'],
  ['assign-in-if', '{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}'],
  ['decl-scope', '{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}'],
  ['undefined-var', '{{ $nope }}'],
  ['decl-pipe', '{{ $x := .user | upper }}{{ $x }}'],
  ['multi-decl-range', '{{ range $i, $v := list "a" "b" }}{{ $i }}:{{ $v }} {{ end }}'],
  ['if', '{{ if .user }}yes{{ end }}'],
  ['if-else', '{{ if .empty }}yes{{ else }}no{{ end }}'],
  ['if-elseif', '{{ if eq .user "x" }}1{{ else if eq .user "admin" }}2{{ else }}3{{ end }}'],
  ['if-chain-deep', '{{ if false }}a{{ else if false }}b{{ else if 0 }}c{{ else if "" }}d{{ else if list }}e{{ else if dict }}f{{ else }}g{{ end }}'],
  ['if-truth', '{{ if 0 }}a{{ end }}{{ if 1 }}b{{ end }}{{ if 0.0 }}c{{ end }}{{ if nil }}d{{ end }}{{ if "0" }}e{{ end }}{{ if list 0 }}f{{ end }}'],
  ['with', '{{ with .user }}[{{ . }}]{{ end }}'],
  ['with-else', '{{ with .empty }}[{{ . }}]{{ else }}none{{ end }}'],
  ['with-else-with', '{{ with .empty }}A{{ else with .user }}B{{ . }}{{ else }}C{{ end }}'],
  ['with-var', '{{ with $x := .host }}{{ $x }}{{ end }}'],
  ['range-list', '{{ range list 1 2 3 }}{{ . }},{{ end }}'],
  ['range-empty-else', '{{ range list }}x{{ else }}empty{{ end }}'],
  ['range-map-sorted', '{{ range $k, $v := dict "b" 2 "a" 1 "C" 3 }}{{ $k }}={{ $v }};{{ end }}'],
  ['range-data', '{{ range $k, $v := . }}{{ $k }};{{ end }}'],
  ['range-int', '{{ range 3 }}{{ . }}{{ end }}'],
  ['range-int-var', '{{ range $i := 4 }}{{ $i }}{{ end }}'],
  ['range-int-zero', '{{ range 0 }}x{{ else }}none{{ end }}'],
  ['range-int-two-vars', '{{ range $i, $v := 3 }}{{ $i }}{{ end }}'],
  ['range-string', '{{ range .user }}{{ . }}{{ end }}'],
  ['range-nil', '{{ range nil }}x{{ end }}'],
  ['range-break', '{{ range list 1 2 3 4 }}{{ if eq . 3 }}{{ break }}{{ end }}{{ . }}{{ end }}'],
  ['range-continue', '{{ range list 1 2 3 4 }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}'],
  ['break-outside', '{{ break }}'],
  ['continue-outside', '{{ continue }}'],
  ['range-nested', '{{ range $a := list 1 2 }}{{ range $b := list "x" "y" }}{{ $a }}{{ $b }} {{ end }}{{ end }}'],
  ['range-dollar', '{{ range list 1 }}{{ $.user }}{{ end }}'],
  ['range-json', '{{ range $k, $v := fromJson .json }}{{ $k }}:{{ $v }}|{{ end }}'],
  ['range-split', '{{ range $i, $v := splitList "," .csv }}{{ $i }}={{ $v }};{{ end }}'],
  ['range-assign-outer', '{{ $s := "" }}{{ range list "a" "b" }}{{ $s = print $s . }}{{ end }}{{ $s }}'],
  ['define-template', '{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .user }}'],
  ['template-no-arg', '{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" }}'],
  ['template-undefined', '{{ template "none" }}'],
  ['block', '{{ block "b" .host }}<{{ . }}>{{ end }}'],
  ['block-redefined', '{{ define "b" }}override{{ end }}{{ block "b" . }}default{{ end }}'],
  ['define-twice', '{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}{{ template "a" }}'],
  ['define-empty-twice', '{{ define "a" }}{{ end }}{{ define "a" }}2{{ end }}{{ template "a" }}'],
  ['define-nested', '{{ if true }}{{ define "x" }}{{ end }}{{ end }}'],
  ['template-recursion', '{{ define "r" }}{{ if . }}{{ len . }}{{ template "r" (rest .) }}{{ end }}{{ end }}{{ template "r" (list 1 2 3) }}'],
  ['template-infinite', '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}'],
  ['template-dollar', '{{ define "t" }}{{ $ }}{{ end }}{{ template "t" "inner" }}'],
  ['comment', 'a{{/* a comment */}}b'],
  ['comment-trim', 'a  {{- /* c */ -}}  b'],
  ['comment-multiline', 'a{{/* line1\nline2 */}}b'],
  ['comment-bad', '{{/* x */ .user }}'],
  ['comment-unclosed', '{{/* x '],
  ['trim-left', 'a   \n\t{{- .user }}'],
  ['trim-right', '{{ .user -}}  \n  b'],
  ['trim-both', 'x \n {{- .user -}} \n y'],
  ['trim-no-space', 'a {{-3}} b'],
  ['trim-minus-number', '{{ -3 }}'],
  ['newline-in-action', '{{ .user\n | upper }}'],
  ['newline-in-action-args', '{{ printf\n "%s-%s"\n .user\n .host }}'],
  ['and-or', '{{ and 1 "" 3 }}|{{ or 0 "" "x" }}|{{ and 1 2 }}|{{ or 0 "" }}'],
  ['and-short-circuit', '{{ and false (fail "boom") }}|{{ or true (fail "boom") }}'],
  ['and-no-short', '{{ and true (fail "boom") }}'],
  ['not', '{{ not .empty }} {{ not .user }} {{ not 0 }} {{ not (list) }}'],
  ['eq-multi', '{{ eq .user "x" "admin" }} {{ eq 1 2 3 }}'],
  ['eq-types', '{{ eq 1 1 }} {{ eq "a" "a" }} {{ eq true true }} {{ eq 1.5 1.5 }} {{ eq nil nil }}'],
  ['eq-mixed-int-float', '{{ eq 1 1.0 }}'],
  ['eq-string-int', '{{ eq "1" 1 }}'],
  ['eq-list', '{{ eq (list 1) (list 1) }}'],
  ['eq-nil-string', '{{ eq .user nil }}'],
  ['ne', '{{ ne 1 2 }} {{ ne "a" "a" }}'],
  ['lt-le-gt-ge', '{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }} {{ lt "B" "a" }} {{ lt "é" "z" }}'],
  ['lt-incompatible', '{{ lt 1 "a" }}'],
  ['lt-bool', '{{ lt true false }}'],
  ['lt-int-uint', '{{ lt -1 (len "ab") }}'],
  ['index-map', '{{ index . "user" }}'],
  ['index-list', '{{ index (list 1 2 3) 1 }}'],
  ['index-nested', '{{ index (fromJson .json) "a" "b" 2 "c" }}'],
  ['index-out-of-range', '{{ index (list 1 2) 5 }}'],
  ['index-negative', '{{ index (list 1 2) -1 }}'],
  ['index-string', '{{ index .user 1 }}'],
  ['index-string-unicode', '{{ index .uni 1 }}'],
  ['index-nil', '{{ index nil 1 }}'],
  ['index-no-args', '{{ index .user }}'],
  ['index-missing-in-built-map', '{{ index (dict "a" 1) "b" }}'],
  ['slice-list', '{{ slice (list 1 2 3 4) 1 3 }}'],
  ['slice-string', '{{ slice .user 1 3 }}'],
  ['slice-string-bytes', '{{ slice .uni 1 2 }}'],
  ['slice-one', '{{ slice (list 1 2 3) 1 }}'],
  ['slice-none', '{{ slice (list 1 2 3) }}'],
  ['slice-bad', '{{ slice (list 1 2 3) 2 1 }}'],
  ['len', '{{ len .user }} {{ len .uni }} {{ len (list 1 2) }} {{ len (dict "a" 1) }} {{ len . | printf "%T" }}'],
  ['len-int', '{{ len 3 }}'],
  ['len-nil', '{{ len nil }}'],
  ['print', '{{ print 1 2 "a" "b" 3 nil true }}'],
  ['print-strings', '{{ print "a" "b" }}|{{ print 1 "a" 2 }}|{{ print }}'],
  ['println', '{{ println 1 "a" }}'],
  ['printf-basic', '{{ printf "%s|%d|%v|%q|%x|%X|%t" "s" 42 "v" "q" 255 255 true }}'],
  ['printf-float', '{{ printf "%f|%.2f|%e|%E|%g|%G|%8.3f|%-8.3f|%08.3f" 3.14159 3.14159 1234.5678 1234.5678 0.000012345 1e21 3.14159 3.14159 -3.14159 }}'],
  ['printf-width', '{{ printf "[%5s][%-5s][%05d][%+d][% d][%x][%#x][%#o][%b]" "ab" "ab" 42 42 42 -255 255 8 5 }}'],
  ['printf-precision-string', '{{ printf "%.2s|%.0s|%5.1s|%.10s" "abcdef" "abc" "xyz" "é日本" }}'],
  ['printf-T', '{{ printf "%T %T %T %T %T %T" 1 1.5 "s" true nil (list) }}'],
  ['printf-v-collections', '{{ printf "%v %v %v" (list 1 "a" nil) (dict "b" 1 "a" (list)) (fromJson .json) }}'],
  ['printf-plus-v', '{{ printf "%+v" (dict "a" 1) }}'],
  ['printf-sharp-v', '{{ printf "%#v|%#v|%#v|%#v" "s" 1 (list 1 "a") (dict "k" "v") }}'],
  ['printf-sharp-v-unsigned', '{{ printf "%#v|%#v|%v|%#x" (index .user 0) (list (index .uni 1)) (index .user 0) (index .user 0) }}'],
  ['printf-q-unicode', '{{ printf "%q|%+q|%#q|%q" "héllo\\n" "héllo" "back`tick" 65 }}'],
  ['printf-x-string', '{{ printf "%x|%X|% x|%#x" "hé" "hé" "abc" "abc" }}'],
  ['printf-x-float', '{{ printf "%x|%X" 1.5 -0.25 }}'],
  ['printf-c', '{{ printf "%c|%c|%c|%U|%#U" 65 233 128512 233 128512 }}'],
  ['printf-c-invalid', '{{ printf "%c|%c" -1 1114112 }}'],
  ['printf-indexed', '{{ printf "%[2]s-%[1]s|%[1]d %[1]x" "a" "b" }}'],
  ['printf-star', '{{ printf "[%*d][%-*d][%.*f]" 5 42 4 7 2 3.14159 }}'],
  ['printf-bad-verb', '{{ printf "%z|%!|%" "s" }}'],
  ['printf-missing', '{{ printf "%s %s %d" "only" }}'],
  ['printf-extra', '{{ printf "%s" "a" "b" 3 }}'],
  ['printf-wrong-type', '{{ printf "%d|%s|%t" "str" 42 "x" }}'],
  ['printf-percent', '{{ printf "100%%" }}'],
  ['printf-nil', '{{ printf "%v|%s|%d" nil nil nil }}'],
  ['printf-data-value', '{{ printf "%s:%s" .user .password }}'],
  ['printf-no-verbs-arg', '{{ printf "plain" .user }}'],
  ['printf-o-O', '{{ printf "%o|%O|%#b" 64 64 5 }}'],
  ['printf-bool-width', '{{ printf "[%6t][%-6t]" true false }}'],
  ['printf-int-bases', '{{ printf "%d|%x|%o|%b" -42 -42 -42 -42 }}'],
  ['printf-bigfloat', '{{ printf "%v|%v|%v|%v" 1e6 1e21 1e-5 123456789.0 }}'],
  ['html', '{{ html .html }}|{{ html "a\'b" 1 }}|{{ html .uni }}|{{ html "\\x00" }}'],
  ['js', '{{ js .html }}|{{ js "a\\nb\\u2028" }}|{{ js .uni }}|{{ js "=" 1 }}'],
  ['urlquery', '{{ urlquery .url }}|{{ urlquery "a b" "c&d" }}|{{ urlquery .uni }}'],
  ['call-nonfunction', '{{ call .user }}'],
  ['call-nil', '{{ call nil }}'],
  ['nil-command', '{{ nil }}'],
  ['nil-arg', '{{ print nil }}'],
  ['method-args', '{{ .user .host }}'],
  ['literal-string-escapes', '{{ "a\\tb\\x41\\u00e9\\U0001F600\\101\\\\\\"" }}'],
  ['literal-raw', '{{ `raw\\n{{ not an action` }}'],
  ['literal-char', "{{ 'a' }} {{ '\\n' }} {{ '\\u00e9' }} {{ 'é' }}"],
  ['literal-ints', '{{ 0x1F }} {{ 1_000 }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ -0x10 }} {{ 0X1f }}'],
  ['literal-floats', '{{ 1e3 }} {{ -2.5 }} {{ .5 }} {{ 1. }} {{ 0x1p4 }} {{ 1_0.5 }} {{ 6.02e23 }}'],
  ['literal-complex', '{{ 1i }}'],
  ['literal-bool', '{{ true }} {{ false }}'],
  ['literal-int-overflow', '{{ 99999999999999999999 }}'],
  ['literal-max-int', '{{ 9223372036854775807 }} {{ -9223372036854775808 }}'],
  ['literal-bad-number', '{{ 3x }}'],
  ['unterminated-string', '{{ "abc }}'],
  ['unterminated-raw', '{{ `abc }}'],
  ['unclosed-action', 'line1\n{{ .user '],
  ['unclosed-if', '{{ if .user }}x'],
  ['unexpected-end', '{{ end }}'],
  ['unexpected-else', '{{ else }}'],
  ['unclosed-paren', '{{ (.user }}'],
  ['extra-paren', '{{ .user) }}'],
  ['empty-action', '{{ }}'],
  ['empty-pipeline-in-if', '{{ if }}x{{ end }}'],
  ['undefined-function', '{{ nosuchfunc }}'],
  ['env-removed', '{{ env "HOME" }}'],
  ['expandenv-removed', '{{ expandenv "$HOME" }}'],
  ['getHostByName-removed', '{{ getHostByName "localhost" }}'],
  ['helm-required', '{{ required "x" .user }}'],
  ['helm-include', '{{ include "x" . }}'],
  ['wrong-arg-count', '{{ upper }}'],
  ['wrong-arg-count-many', '{{ upper "a" "b" }}'],
  ['wrong-arg-type-int', '{{ repeat "x" "y" }}'],
  ['wrong-arg-type-string', '{{ upper 3 }}'],
  ['wrong-arg-type-list', '{{ b64enc (list 1) }}'],
  ['dot-after-literal', '{{ "a".b }}'],
  ['field-chain-nil', '{{ (fromJson "{\\"a\\":null}").a.b }}'],
  ['field-chain-string', '{{ (fromJson "{\\"a\\":\\"s\\"}").a.b }}'],
  ['field-on-nil-data', '{{ (fromJson "{bad").a }}'],
  ['field-missing-json', '{{ (fromJson .json).nope }}'],
  ['field-on-list', '{{ (list 1).a }}'],
  ['variable-field', '{{ $j := fromJson .json }}{{ $j.a.b }} {{ $j.n }} {{ $j.i }} {{ $j.big }} {{ $j.z }} {{ $j.e }} {{ $j.m }}'],
  ['set-root', '{{ set . "a" "b" }}'],
  ['keys-root', '{{ keys . }}'],
  ['fail', '{{ fail "stop here" }}'],
  ['fail-data', '{{ fail .password }}'],
  ['delims-literal', '{{ "{{" }}not{{ "}}" }}'],
  ['unicode-text', 'ünïcödé 😀 {{ .uni }}'],
  ['long-text', 'x'.repeat(5000) + '{{ .user }}' + 'y'.repeat(5000)],
  ['many-actions', Array.from({ length: 300 }, (_, i) => `{{ ${i} }}`).join(',')],
  ['deep-parens', '{{ ' + '('.repeat(40) + '.user' + ')'.repeat(40) + ' }}'],
  ['nested-ifs', '{{ if true }}'.repeat(30) + 'deep' + '{{ end }}'.repeat(30)],
  ['continue-in-with', '{{ range list 1 2 }}{{ with . }}{{ continue }}{{ end }}x{{ end }}'],
  ['break-in-template', '{{ define "b" }}{{ break }}{{ end }}{{ range list 1 }}{{ template "b" }}{{ end }}'],
  ['range-else-var', '{{ range $x := list }}{{ $x }}{{ else }}e{{ end }}'],
  ['with-dot-json', '{{ with fromJson .json }}{{ .a.b }}{{ end }}'],
  ['pipeline-decl-in-if', '{{ if $x := .user }}{{ $x }}{{ end }}'],
  ['chained-pipes', '{{ .user | upper | lower | title | trunc 3 | quote }}'],
  ['parens-as-args', '{{ printf "%s=%s" (upper .user) (lower "X") }}'],
  ['var-redeclare', '{{ $x := 1 }}{{ $x := "s" }}{{ $x }}'],
  ['dot-in-define', '{{ define "d" }}{{ .user }}{{ end }}{{ template "d" . }}'],
  ['template-pipeline-arg', '{{ define "d" }}{{ . }}{{ end }}{{ template "d" .user | upper }}'],
  ['text-only-define', '{{ define "x" }}never{{ end }}visible'],
];

// ---------------------------------------------------------------------------------------------
// sprig functions, as ESO exposes them
// ---------------------------------------------------------------------------------------------

const STRINGS: Row[] = [
  ['trim', '[{{ trim .space }}][{{ trim .ws }}][{{ trim "" }}]'],
  ['trimAll', '[{{ trimAll "$" "$$a$b$$" }}][{{ trimall "ab" "abxba" }}][{{ trimAll "" "x" }}]'],
  ['trimPrefix-Suffix', '{{ trimPrefix "db." .host }} {{ trimSuffix ".com" .host }} {{ trimPrefix "x" .host }}'],
  ['upper-lower', '{{ upper .user }} {{ lower "ABC" }} {{ upper .uni }} {{ lower .greek }} {{ lower .uni }}'],
  ['title', '{{ title "hello wOrld-foo_bar x.y" }}|{{ title .uni }}|{{ title .words }}|{{ title "ǆemal" }}'],
  ['untitle', '{{ untitle "Hello World" }}|{{ untitle .uni }}|{{ untitle "ÉCOLE Éa" }}'],
  ['swapcase', '{{ swapcase "Hello World" }}|{{ swapcase .uni }}'],
  ['repeat', '{{ repeat 3 "ab" }}|{{ repeat 0 "x" }}|{{ repeat 2 .uni }}'],
  ['repeat-negative', '{{ repeat -1 "x" }}'],
  ['substr', '{{ substr 0 3 .password }}|{{ substr 2 100 .password }}|{{ substr -1 2 .password }}|{{ substr 1 3 .uni }}|{{ substr 3 1 "abcdef" }}'],
  ['substr-unicode-cut', '{{ substr 0 2 "é" }}|{{ substr 1 2 "日本" }}'],
  ['trunc', '{{ trunc 3 .password }}|{{ trunc -2 .password }}|{{ trunc 50 .password }}|{{ trunc 2 .uni }}|{{ trunc 0 "x" }}'],
  ['abbrev', '{{ abbrev 5 "hello world" }}|{{ abbrev 3 "hello" }}|{{ abbrev 4 "hello" }}|{{ abbrev 10 .uni }}'],
  ['abbrevboth', '{{ abbrevboth 5 10 "1234 5678 9123" }}|{{ abbrevboth 0 8 "abcdefghij" }}'],
  ['nospace', '{{ nospace .space }}|{{ nospace .ws }}|{{ nospace .uni }}'],
  ['initials', '{{ initials "First Try" }}|{{ initials .uni }}|{{ initials "" }}'],
  ['contains-hasPrefix-hasSuffix', '{{ contains "cr" .password }} {{ hasPrefix "db" .host }} {{ hasSuffix ".org" .host }} {{ contains "" "" }}'],
  ['quote-squote', '{{ quote .user 1 nil "x\\ty" }} {{ squote .user 2 nil }} {{ quote .uni }} {{ quote .html }}'],
  ['quote-nothing', '[{{ quote }}][{{ squote }}]'],
  ['cat', '{{ cat "a" 1 nil "b" }}|{{ cat }}|{{ cat .user .host }}'],
  ['indent-nindent', '{{ indent 2 .multi }}|{{ nindent 4 "x\\ny" }}|{{ indent 0 "a" }}|{{ indent 2 "" }}'],
  ['indent-negative', '{{ indent -1 "a" }}'],
  ['replace', '{{ replace "l" "L" "hello" }}|{{ replace "" "-" "ab" }}|{{ replace "é" "e" .uni }}'],
  ['plural', '{{ plural "one" "many" 1 }}{{ plural "one" "many" 2 }}{{ plural "one" "many" 0 }}'],
  ['snakecase', '{{ snakecase "FirstName" }} {{ snakecase "HTTPServer" }} {{ snakecase .camel }} {{ snakecase .words }} {{ snakecase "userID" }} {{ snakecase "a1B2" }} {{ snakecase .uni }}'],
  ['camelcase', '{{ camelcase "http_server" }} {{ camelcase "_complex__case_" }} {{ camelcase .words }} {{ camelcase "GOLANG_IS_GREAT" }} {{ camelcase .uni }}'],
  ['kebabcase', '{{ kebabcase "FirstName" }} {{ kebabcase .camel }} {{ kebabcase .words }} {{ kebabcase "a.b c" }}'],
  ['shuffle-len', '{{ shuffle "abcdef" | len }}'],
  ['wrap', '{{ wrap 10 "The quick brown fox jumps over the lazy dog" }}'],
  ['wrapWith', '{{ wrapWith 5 "<br>" "Hello world, how are you" }}'],
  ['splitList', '{{ splitList "," .csv }} {{ splitList "" "abc" }} {{ splitList "," "" }} {{ len (splitList "," .csv) }}'],
  ['split', '{{ (split "," .csv)._1 }} {{ split "," .csv }} {{ (split "$" "a$b")._0 }}'],
  ['splitn', '{{ splitn "," 2 .csv }} {{ (splitn "," 3 .csv)._2 }}'],
  ['join', '{{ join "-" (splitList "," .csv) }} {{ join "," (list 1 2 "x" nil) }} {{ join "," .user }} {{ join "," 3 }}'],
  ['sortAlpha', '{{ sortAlpha (list "b" "a" "C" "é" "z") }} {{ sortAlpha (splitList " " .list) }} {{ sortAlpha .user }}'],
  ['toString', '{{ toString 12 }} {{ toString 1.5 }} {{ toString nil }} {{ toString (list 1) }} {{ toString true }} {{ toString .user }}'],
  ['toStrings', '{{ toStrings (list 1 nil "a" 1.5 true) }} {{ toStrings "ab" }}'],
  ['regexMatch', '{{ regexMatch "^[a-z]+$" .user }} {{ regexMatch "\\\\d+" .port }} {{ regexMatch "^\\\\s*$" .ws }}'],
  ['regexMatch-bad', '{{ regexMatch "(" "x" }}'],
  ['mustRegexMatch-bad', '{{ mustRegexMatch "(" "x" }}'],
  ['regexFind', '{{ regexFind "[0-9]+" "ab123cd45" }}|{{ regexFind "x" "abc" }}|{{ mustRegexFind "[a-z]+" .uni }}'],
  ['regexFindAll', '{{ regexFindAll "[0-9]+" "ab123cd45e6" -1 }} {{ regexFindAll "[0-9]+" "ab123cd45e6" 2 }} {{ regexFindAll "a*" "baaab" -1 }} {{ regexFindAll "x" "abc" -1 }}'],
  ['regexReplaceAll', '{{ regexReplaceAll "(.*)" "alerts" "${1}_X" }}|{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}|{{ regexReplaceAll "(?P<k>[a-z]+)" "db1 é" "<$k$$>" }}|{{ regexReplaceAll "" "abc" "-" }}'],
  ['regexReplaceAllLiteral', '{{ regexReplaceAllLiteral "a*" "baaac" "$1" }}|{{ mustRegexReplaceAllLiteral "[aeiou]" .words "_" }}'],
  ['regexSplit', '{{ regexSplit "[,;]" "a,b;c" -1 }} {{ regexSplit "x*" "axbxc" -1 }} {{ regexSplit "," "a,b,c" 2 }} {{ regexSplit "," "" -1 }}'],
  ['regexQuoteMeta', '{{ regexQuoteMeta "a.b*c[d]$" }} {{ regexQuoteMeta .uni }}'],
  ['regex-unicode-classes', '{{ regexFindAll "\\\\w+" .uni -1 }} {{ regexFindAll "\\\\s" .ws -1 | len }} {{ regexFindAll "\\\\pL+" .uni -1 }}'],
  ['regex-lookahead', '{{ regexMatch "a(?=b)" "ab" }}'],
  ['regex-backref', '{{ regexMatch "(a)\\\\1" "aa" }}'],
  ['regex-flags', '{{ regexMatch "(?i)ADMIN" .user }} {{ regexFindAll "(?m)^l" .multi -1 }} {{ regexFind "(?s)1.l" .multi }}'],
  ['b64', '{{ .password | b64enc }}|{{ .b64 | b64dec }}|{{ "!!!" | b64dec }}|{{ "aGk" | b64dec }}|{{ .b64url | b64dec }}'],
  ['b64-unicode', '{{ .uni | b64enc }}|{{ .uni | b64enc | b64dec }}'],
  ['b32', '{{ .user | b32enc }}|{{ .b32 | b32dec }}|{{ "1" | b32dec }}'],
  ['hexdec', '{{ hexdec .hex }}|{{ hexdec "zz" }}|{{ hexdec "abc" }}'],
  ['hashes', '{{ sha1sum .user }} {{ sha256sum .user }} {{ adler32sum .user }} {{ sha512sum "" | trunc 10 }} {{ sha256sum .uni }}'],
  ['htpasswd-sha', '{{ htpasswd .user .password "sha" }}'],
  ['htpasswd-bcrypt-shape', '{{ regexMatch "^admin:\\\\$2a\\\\$10\\\\$" (htpasswd .user .password "bcrypt") }}'],
  ['htpasswd-bad-user', '{{ htpasswd "a:b" "p" "sha" }}'],
  ['htpasswd-var-algorithm', '{{ $a := "sha" }}{{ htpasswd "u" "p" $a }}'],
  ['bcrypt-shape', '{{ bcrypt .password | len }}'],
  ['derivePassword', '{{ derivePassword 1 "long" "password" "user" "example.com" }}'],
  ['encryptAES-roundtrip', '{{ encryptAES "key" .password | decryptAES "key" }}'],
  ['decryptAES-bad', '{{ decryptAES "key" "bm90IGFlcw==" }}'],
  ['hello', '{{ hello }}'],
];

const COLLECTIONS: Row[] = [
  ['list-first-last', '{{ list 1 2 3 | first }} {{ last (list 1 2 3) }} {{ first (list) }} {{ last (list) }}'],
  ['rest-initial', '{{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }} {{ rest (list) }} {{ initial (list) }}'],
  ['append-prepend', '{{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ mustAppend (list) "a" }} {{ mustPrepend (list 1) nil }}'],
  ['append-bad', '{{ append "s" 1 }}'],
  ['concat', '{{ concat (list 1) (list 2 3) (list) }}'],
  ['uniq-without', '{{ uniq (list 1 1 "a" "a" 2 1.0) }} {{ without (list 1 2 3 2) 2 }} {{ mustUniq (list (list 1) (list 1)) }}'],
  ['has', '{{ has 2 (list 1 2) }} {{ has "2" (list 1 2) }} {{ mustHas nil (list nil) }} {{ has 1 nil }}'],
  ['compact', '{{ compact (list 1 "" 0 nil "a" false (list)) }}'],
  ['reverse', '{{ reverse (list 1 2 3) }} {{ reverse (list) }}'],
  ['slice-sprig', '{{ slice (list 1 2 3 4) 1 3 }} {{ mustSlice (list 1 2) 5 }}'],
  ['chunk', '{{ chunk 2 (list 1 2 3 4 5) }} {{ mustChunk 3 (list) }}'],
  ['tuple', '{{ tuple 1 "a" }}'],
  ['first-on-string', '{{ first "abc" }}'],
  ['mustFirst-on-string', '{{ mustFirst "abc" }}'],
  ['mustLast-mustRest-mustInitial', '{{ mustLast (list 1 2) }} {{ mustRest (list 1 2) }} {{ mustInitial (list 1 2) }} {{ mustReverse (list 1 2) }} {{ mustCompact (list "" 1) }} {{ mustWithout (list 1 2) 1 }}'],
  ['dict-get-set', '{{ $d := dict "a" 1 "b" "two" }}{{ $d }} {{ get $d "a" }} {{ get $d "zz" }} {{ hasKey $d "b" }} {{ $_ := set $d "c" 3 }}{{ $d }}'],
  ['dict-odd', '{{ dict "odd" }} {{ dict }} {{ dict 1 2 }} {{ dict nil 1 }}'],
  ['unset-pick-omit', '{{ $d := dict "a" 1 "b" 2 "c" 3 }}{{ $_ := unset $d "a" }}{{ $d }} {{ pick $d "b" "zz" }} {{ omit $d "b" }}'],
  ['keys-values', '{{ keys (dict "b" 1 "a" 2) | sortAlpha }} {{ values (dict "b" 1 "a" 2) | len }} {{ keys (dict "a" 1) (dict "b" 2) | sortAlpha }}'],
  ['pluck', '{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}'],
  ['merge', '{{ $a := dict "x" 1 "n" (dict "p" 1) }}{{ $b := dict "x" 2 "y" 3 "n" (dict "p" 2 "q" 3) }}{{ merge $a $b }}'],
  ['mergeOverwrite', '{{ $b := dict "x" 2 "y" 3 "n" (dict "p" 2 "q" 3) }}{{ mergeOverwrite (dict "x" 1 "n" (dict "p" 1)) $b }}'],
  ['mergeOverwrite-empty', '{{ mergeOverwrite (dict "a" 1 "b" "x") (dict "a" 0 "b" "") }}'],
  ['mustMerge', '{{ mustMerge (dict "a" 1) (dict "b" 2) }} {{ mustMergeOverwrite (dict "a" 1) (dict "a" 2) }}'],
  ['dig', '{{ dig "a" "b" "def" (fromJson .json) }} {{ dig "a" "zz" "def" (fromJson .json) }} {{ dig "n" "def" (fromJson .json) }}'],
  ['dig-non-map', '{{ dig "a" "b" "c" "def" (fromJson .json) }}'],
  ['deepCopy', '{{ $a := dict "x" (list 1) }}{{ $b := deepCopy $a }}{{ $b }} {{ mustDeepCopy (list 1 2) }}'],
  ['deepEqual', '{{ deepEqual (list 1 2) (list 1 2) }} {{ deepEqual (dict "a" 1) (dict "a" "1") }} {{ deepEqual 1 1.0 }}'],
  ['until-seq', '{{ until 3 }} {{ untilStep 0 10 3 }} {{ untilStep 10 0 -3 }} {{ seq 3 }} {{ seq 5 1 }} {{ seq 1 2 7 }} {{ seq 0 }} {{ seq }}'],
  ['seq-bad', '{{ seq 1 2 3 4 }}'],
  ['empty-coalesce', '{{ empty .empty }} {{ empty (list) }} {{ empty 0 }} {{ empty "0" }} {{ empty nil }} {{ empty (dict) }} {{ coalesce .empty "" "c" }} {{ coalesce }} {{ coalesce 0 nil }}'],
  ['default', '{{ default "d" .empty }}|{{ default "d" .user }}|{{ .empty | default "piped" }}|{{ default 1 0 }}|{{ default "x" }}'],
  ['all-any', '{{ all 1 "a" true }} {{ all 1 "" }} {{ any 0 "" nil }} {{ any 0 "x" }} {{ all }} {{ any }}'],
  ['ternary', '{{ ternary "y" "n" true }} {{ ternary "y" "n" (eq .user "x") }} {{ true | ternary 1 2 }}'],
  ['ternary-non-bool', '{{ ternary "y" "n" 1 }}'],
  ['typeOf-kindOf', '{{ typeOf 1 }} {{ typeOf 1.5 }} {{ typeOf "a" }} {{ typeOf (list) }} {{ typeOf (dict) }} {{ typeOf nil }} {{ typeOf . }} {{ kindOf (dict) }} {{ kindOf . }} {{ kindOf nil }} {{ kindOf 1 }}'],
  ['typeOf-results', '{{ typeOf (splitList "," .csv) }} {{ typeOf (split "," .csv) }} {{ typeOf (fromJson .json) }} {{ typeOf (fromJson .jsonArr) }} {{ typeOf (until 2) }} {{ typeOf (atoi "1") }} {{ typeOf (int64 1) }} {{ typeOf (float64 1) }} {{ typeOf (toStrings (list 1)) }} {{ typeOf (keys (dict)) }} {{ typeOf (regexFindAll "a" "a" -1) }}'],
  ['typeIs-kindIs', '{{ typeIs "string" .user }} {{ typeIs "int" 1 }} {{ kindIs "slice" (splitList "," "a") }} {{ kindIs "map" . }} {{ typeIsLike "string" .user }}'],
  ['nil-slices-print', '{{ regexFindAll "x" "abc" -1 }} {{ splitList "," "" }} {{ compact (list "") }} {{ keys (dict) }} {{ toStrings (list) }}'],
];

const NUMBERS: Row[] = [
  ['add-sub-mul', '{{ add 1 2 3 }} {{ add1 5 }} {{ sub 10 3 }} {{ mul 2 3 4 }} {{ add }} {{ mul }}'],
  ['div-mod', '{{ div 7 2 }} {{ div -7 2 }} {{ mod 7 3 }} {{ mod -7 3 }}'],
  ['div-zero', '{{ div 1 0 }}'],
  ['mod-zero', '{{ mod 1 0 }}'],
  ['max-min', '{{ max 1 5 3 }} {{ min 4 2 8 }} {{ biggest 1 9 }} {{ max 1 }} {{ min -1 }}'],
  ['floor-ceil-round', '{{ floor 3.7 }} {{ ceil 3.2 }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round -2.5 0 }} {{ round 1.005 2 }} {{ floor "2.5" }} {{ ceil -0.5 }}'],
  ['add-strings', '{{ add .num 1 }} {{ add "1.0" "0x10" "010" "abc" }} {{ add .float 1 }} {{ add .neg .num }} {{ add .hexnum 0 }} {{ add .big 0 }}'],
  ['add-overflow', '{{ add 9223372036854775807 1 }} {{ mul 4294967296 4294967296 }}'],
  ['float-math', '{{ addf 1.5 2 }} {{ subf 1 0.5 }} {{ mulf 1.5 2 }} {{ divf 1 3 }} {{ maxf 1 2.5 }} {{ minf 1 2.5 }} {{ add1f 1.5 }} {{ divf 1 0 }}'],
  ['atoi-int-int64', '{{ atoi .num }} {{ atoi "x" }} {{ atoi .neg }} {{ atoi .float }} {{ atoi .big }} {{ atoi "" }} {{ atoi " 1" }} {{ atoi "+5" }}'],
  ['int-conversions', '{{ int "12" }} {{ int64 3.9 }} {{ int .float }} {{ int .hexnum }} {{ int "010" }} {{ int true }} {{ int nil }} {{ int .big }} {{ int64 .sci }}'],
  ['float64-conversions', '{{ float64 "1.5" }} {{ float64 .num }} {{ float64 .nan }} {{ float64 .inf }} {{ float64 "x" }} {{ float64 .sci }} {{ float64 .hexnum }} {{ float64 "1_000.5" }} {{ float64 "0x1p4" }}'],
  ['toDecimal', '{{ toDecimal "0777" }} {{ toDecimal "8" }}'],
  ['randInt-range', '{{ $r := randInt 5 6 }}{{ $r }}'],
  ['math-on-floats', '{{ add 1.9 1.9 }} {{ sub 5.5 1 }} {{ div 7.5 2 }} {{ max 1.5 2 }}'],
];

const ENCODING: Row[] = [
  ['toJson', '{{ toJson (fromJson .json) }}'],
  ['toJson-values', '{{ toJson .password }} {{ toJson 1.5 }} {{ toJson 1e22 }} {{ toJson 0.0000001 }} {{ toJson nil }} {{ toJson (list) }} {{ toJson (dict) }} {{ toJson .uni }} {{ toJson .html }}'],
  ['toJson-escapes', '{{ toJson (dict "k" "line\\nbreak\\ttab\\u0001 \\u2028 <>&") }}'],
  ['toRawJson', '{{ toRawJson .html }} {{ toRawJson (dict "a" "<b>") }}'],
  ['toPrettyJson', '{{ toPrettyJson (dict "a" (list 1 2) "e" (list) "m" (dict) "s" "<x>") }}'],
  ['mustToJson', '{{ mustToJson (list 1) }} {{ mustToPrettyJson (dict) }} {{ mustToRawJson "<" }}'],
  ['fromJson-kinds', '{{ fromJson .json }}|{{ fromJson .jsonArr }}|{{ fromJson .jsonStr }}|{{ fromJson "1" }}|{{ fromJson "bad" }}'],
  ['fromJson-big-number', '{{ (fromJson .json).big }} {{ (fromJson "{\\"x\\":1e400}").x }} {{ (fromJson "{\\"x\\":-0}").x }}'],
  ['fromJson-duplicate', '{{ fromJson "{\\"a\\":1,\\"a\\":2}" }}'],
  ['mustFromJson-bad', '{{ mustFromJson "{bad" }}'],
  ['json-roundtrip', '{{ .json | fromJson | toJson | fromJson | toPrettyJson }}'],
  ['toYaml', '{{ toYaml (fromJson .json) }}'],
  ['toYaml-scalars', '{{ toYaml (dict "s" "yes" "n" "1" "m" "a\\nb" "e" "" "t" true "l" (list "x" (dict "k" "v")) "d" "2024-01-02" "c" "12:30:45" "z" nil "f" 1.5 "q" "a: b" "h" "#x" "sp" " lead") }}'],
  ['toYaml-string', '{{ toYaml .user }}|{{ toYaml .multi }}|{{ toYaml .uni }}|{{ toYaml "" }}|{{ toYaml nil }}|{{ toYaml 1 }}'],
  ['toYaml-long-line', '{{ toYaml (dict "k" (repeat 30 "word ")) }}'],
  ['fromYaml', '{{ (fromYaml .yaml).b }} {{ (fromYaml .yaml).a }} {{ (fromYaml .yaml).c }} {{ (fromYaml .yaml).d }} {{ (fromYaml .yaml).e }} {{ (fromYaml .yaml).f }} {{ (fromYaml .yaml).g }} {{ (fromYaml .yaml).h }}'],
  ['fromYaml-types', '{{ range $k, $v := fromYaml .yaml }}{{ $k }}:{{ typeOf $v }} {{ end }}'],
  ['fromYaml-error', '{{ fromYaml "a: [" }}|{{ fromYaml "- a\\n- b" }}|{{ fromYaml "a: 1\\na: 2" }}'],
  ['fromYaml-json', '{{ (fromYaml .json).a.b }}'],
  ['yaml-roundtrip', '{{ .yaml | fromYaml | toYaml }}'],
  ['urlParse', '{{ (urlParse .url).host }} {{ (urlParse .url).path }} {{ (urlParse .url).query }} {{ (urlParse .url).userinfo }} {{ (urlParse .url).scheme }} {{ (urlParse .url).fragment }}'],
  ['urlJoin', '{{ urlJoin (dict "scheme" "https" "host" "example.com" "path" "/a b" "query" "x=1") }}'],
  ['path-functions', '{{ base .path }} {{ dir .path }} {{ clean .path }} {{ ext .path }} {{ isAbs .path }} {{ osBase .path }} {{ osDir .path }} {{ osClean .path }} {{ osExt .path }} {{ osIsAbs "x" }}'],
  ['semver', '{{ (semver .semver).Major }} {{ (semver .semver).Prerelease }} {{ semverCompare ">=1.2.0-0" .semver }} {{ semverCompare "^2" "1.0.0" }}'],
  ['semver-bad', '{{ semver "not.a.version" }}'],
  // sprig's semver returns Masterminds semver's *Version: its methods, fields, printing and comparisons.
  ['semver-print', '{{ semver .semver }}|{{ semver "v1.2" }}|{{ semver "01.2.3" }}|{{ print (semver .semver) 1 }}|{{ printf "%v %s %q %x %+v %10s|" (semver .semver) (semver .semver) (semver .semver) (semver .semver) (semver .semver) (semver .semver) }}'],
  ['semver-print-struct', '{{ printf "%#v|%d|%t" (semver .semver) (semver .semver) (semver .semver) }}|{{ printf "%#v|%+v|%p" (semver .semver).IncMinor (semver .semver).IncMinor (semver .semver).IncMinor }}'],
  ['semver-print-nested', '{{ list (semver .semver) (semver .semver).IncPatch }} {{ dict "v" (semver .semver) }} {{ printf "%t" (list (semver "1")) }} {{ printf "%#v" (list (semver .semver).IncMajor) }}'],
  ['semver-getters', '{{ $v := semver (printf "v%s" .semver) }}{{ $v.Major }} {{ $v.Minor }} {{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }} {{ $v.Original }} {{ $v.String }} {{ $v.Value }} {{ with semver .semver }}{{ .Major }}.{{ .Minor }}{{ end }}'],
  ['semver-uint64', '{{ $m := (semver "18446744073709551615.2.3").Major }}{{ $m }} {{ printf "%T %d %x %#v %*d" $m $m $m $m $m 1 }} {{ int $m }} {{ add1 $m }} {{ eq $m -1 }} {{ (semver "18446744073709551615.2.3").IncMajor }}'],
  ['semver-inc', '{{ (semver .semver).IncPatch }} {{ (semver .semver).IncMinor }} {{ (semver .semver).IncMajor }} {{ (semver "v1.2.3").IncPatch.IncMinor }} {{ (semver "1.2.3+b").IncPatch }}'],
  ['semver-set', '{{ (semver .semver).SetPrerelease "rc.2" }} {{ (semver .semver).SetMetadata "" }} {{ printf "%#v" ((semver "v1.2.3").SetMetadata "m.1") }}'],
  ['semver-set-bad', '{{ (semver .semver).SetPrerelease "01" }}'],
  ['semver-compare', '{{ (semver .semver).Compare (semver "1.2.3") }} {{ (semver .semver).LessThan (semver "1.2.3-beta.2") }} {{ (semver .semver).GreaterThanEqual (semver "1.2.3-beta.1") }} {{ (semver .semver).Equal (semver "1.2.3-beta.1+other") }} {{ (semver .semver).Equal nil }} {{ semver "2" | (semver .semver).Compare }}'],
  ['semver-compare-nil', '{{ (semver .semver).Compare nil }}'],
  ['semver-compare-string', '{{ (semver .semver).Compare "1.2.3" }}'],
  ['semver-compare-struct', '{{ (semver .semver).LessThan (semver "2").IncMajor }}'],
  ['semver-struct-no-pointer-methods', '{{ (semver .semver).IncMajor.Original }}'],
  ['semver-unexported-field', '{{ (semver .semver).major }}'],
  ['semver-method-args', '{{ (semver .semver).Major 1 }}'],
  ['semver-eq', '{{ $v := semver .semver }}{{ eq $v $v }} {{ eq (semver .semver) (semver .semver) }} {{ eq $v.IncMajor $v.IncMajor }} {{ eq $v nil }} {{ eq (semver "1").IncMajor now }} {{ eq $v.Major 1 }}'],
  ['semver-eq-kinds', '{{ eq (semver .semver) (semver .semver).IncMajor }}'],
  ['semver-lt', '{{ lt (semver "1") (semver "2") }}'],
  ['semver-reflect', '{{ typeOf (semver .semver) }} {{ kindOf (semver .semver) }} {{ typeOf (semver .semver).IncMajor }} {{ kindOf (semver .semver).IncMajor }} {{ typeOf (semver .semver).Major }} {{ deepEqual (semver .semver) (semver .semver) }} {{ deepEqual (semver "1") (semver "v1") }}'],
  ['semver-encode', '{{ toJson (semver .semver) }} {{ toPrettyJson (dict "v" (semver .semver) "w" (semver "2").IncMajor) }} {{ toYaml (list (semver .semver)) }}'],
  ['semver-sprig', '{{ toString (semver .semver) }} {{ quote (semver .semver) }} {{ empty (semver "0") }} {{ default "x" (semver "1") }} {{ int (semver "1") }} {{ deepCopy (semver .semver) }} {{ uniq (list (semver "1").IncMajor (semver "1").IncMajor) }} {{ has (semver "1") (list (semver "1")) }}'],
  ['semver-range', '{{ range semver .semver }}x{{ end }}'],
  ['semver-len', '{{ len (semver .semver) }}'],
  ['semver-as-string', '{{ upper (semver .semver) }}'],
];

const TIME_AND_RANDOM: Row[] = [
  ['date-fixed', '{{ toDate "2006-01-02" "2024-03-04" | date "Jan 2, 2006 15:04 MST" }}'],
  ['date-int', '{{ date "2006-01-02" 0 }}'],
  ['dateInZone', '{{ dateInZone "2006-01-02T15:04:05Z07:00" (toDate "2006-01-02T15:04:05Z07:00" .date) "Asia/Tokyo" }}'],
  ['date-modify', '{{ toDate "2006-01-02" "2024-03-04" | dateModify "-1.5h" | date "2006-01-02 15:04" }}'],
  ['mustToDate-bad', '{{ mustToDate "2006-01-02" "nope" }}'],
  ['toDate-bad', '{{ toDate "2006-01-02" "nope" }}'],
  ['unixEpoch', '{{ toDate "2006-01-02" "2024-03-04" | unixEpoch }}'],
  ['htmlDate', '{{ htmlDate (toDate "2006-01-02" "2024-03-04") }}'],
  ['duration', '{{ duration 3661 }} {{ duration "90" }} {{ durationRound "3601s" }}'],
  ['now-type', '{{ typeOf now }}'],
  ['ago-type', '{{ ago now | typeOf }}'],
  // Fixed instants (Go runs with TZ=UTC); `now` only through its shape, as both clocks differ.
  ['now-shape', '{{ regexMatch `^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)? \\+0000 UTC m=\\+\\d+\\.\\d{9}$` (printf "%v" now) }} {{ now | date "MST" }} {{ kindOf now }} {{ ago now }} {{ now | dateModify "1h" | ago }}'],
  ['now-values', '{{ regexMatch `^\\d{4}-\\d{2}-\\d{2}$` (htmlDate now) }} {{ regexMatch `^\\d{4}-\\d{2}-\\d{2}$` (date "2006-01-02" "not a time") }} {{ gt (now | unixEpoch | atoi) 1700000000 }} {{ durationRound now }}'],
  ['toDate-layouts', '{{ toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-04T05:06:07.123456789+09:00" }} {{ toDate "Jan 2 2006 3:04PM MST" "Feb 29 2024 11:59PM EST" }} {{ toDate "02/01/06 Monday 002" "04/03/24 Monday 064" }} {{ toDate "15:04 MST" "10:00 GMT+3" }} {{ toDate "2006-01-02 15:04:05" "2024-03-04 05:06:07.5" }}'],
  ['toDate-out-of-range', '{{ toDate "Jan 2 2006" "Feb 30 2024" }} {{ toDate "15:04" "24:00" }} {{ toDate "2006-01-02" "2024-03-04 extra" }}'],
  ['date-layout-elements', '{{ toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-04T17:06:07.120000000-05:30" | date "Monday January _2 __2 002 3 03 PM pm .000 ,999 .9 -0700 -07 -07:00:00 Z0700 Z07 Z07:00:00 MST 06 Jan Mon 1 2 4 5" }}'],
  ['dateInZone-abbreviations', '{{ $t := toDate "2006-01-02" "2024-07-04" }}{{ range list "Europe/Berlin" "America/New_York" "Asia/Kolkata" "America/Sao_Paulo" "Europe/London" "Australia/Sydney" "asia/tokyo" "Nope/Zone" "" "Local" }}{{ dateInZone "MST -07:00 15:04" $t . }}|{{ end }}{{ htmlDateInZone $t "Pacific/Kiritimati" }}'],
  ['dateModify-forms', '{{ $t := toDate "2006-01-02" "2024-03-04" }}{{ dateModify "1h1m1.5s" $t }} {{ dateModify "bad" $t }} {{ date_modify "-90m" $t }} {{ mustDateModify "2562047h" $t | unixEpoch }}'],
  ['mustDateModify-bad', '{{ toDate "2006-01-02" "2024-03-04" | mustDateModify "1x" }}'],
  ['duration-forms', '{{ duration "3661" }} {{ duration "-90" }} {{ duration "99999999999999999999" }} {{ duration (int64 5) }} {{ duration 5 }} {{ duration "0.5" }}'],
  ['durationRound-forms', '{{ durationRound "2h10m" }} {{ durationRound "-49h" }} {{ durationRound "800h" }} {{ durationRound "9000h" }} {{ durationRound (int64 1500000000) }} {{ durationRound 5 }} {{ durationRound "bad" }}'],
  ['time-values', '{{ list (toDate "2006-01-02" "2024-03-04") }} {{ toJson (toDate "2006-01-02" "2024-03-04") }} {{ typeOf (toDate "x" "y") }} {{ if toDate "x" "y" }}t{{ end }} {{ printf "%s|%q|%#v" (toDate "2006-01-02" "2024-03-04") (toDate "2006-01-02" "2024-03-04") (toDate "2006-01-02" "2024-03-04") }}'],
  ['time-arg-types', '{{ date "2006-01-02 15:04:05 MST" (int64 -1) }} {{ toDate "2006-01-02" "0001-01-01" | unixEpoch }} {{ ago 0 | len | lt 5 }}'],
  ['unixEpoch-wrong-type', '{{ unixEpoch 5 }}'],
  ['time-methods', '{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00" "2024-03-04T17:06:07.120000000-05:30" }}{{ $t.Unix }} {{ $t.UnixMilli }} {{ $t.UnixMicro }} {{ $t.UnixNano }} {{ $t.Year }} {{ $t.Day }} {{ $t.Hour }} {{ $t.Minute }} {{ $t.Second }} {{ $t.YearDay }} {{ $t.Nanosecond }} {{ $t.UTC }} {{ $t.Local }} {{ $t.String }} {{ $t.IsZero }} {{ $t.Format "2006|15" }} {{ typeOf $t.Unix }} {{ typeOf $t.Year }} {{ (toDate "x" "y").IsZero }} {{ $t.Equal $t }} {{ $t.Before $t }} {{ now.UTC.Year | typeOf }} {{ "2006" | $t.Format }}'],
  ['time-method-bad-args', '{{ (toDate "2006" "2024").Format }}'],
  ['randAlphaNum-len', '{{ randAlphaNum 12 | len }} {{ randAlpha 3 | len }} {{ randNumeric 4 | len }} {{ randAscii 5 | len }}'],
  ['randBytes-shape', '{{ randBytes 12 | b64dec | len }}'],
  ['uuidv4-shape', '{{ regexMatch "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" uuidv4 }}'],
  ['genPrivateKey-shape', '{{ genPrivateKey "ecdsa" | hasPrefix "-----BEGIN EC PRIVATE KEY-----" }}'],
  ['genCA-shape', '{{ $ca := genCA "test-ca" 365 }}{{ hasPrefix "-----BEGIN CERTIFICATE-----" $ca.Cert }}'],
  ['genSelfSignedCert-shape', '{{ $c := genSelfSignedCert "x.example" (list "10.0.0.1") (list "x.example") 30 }}{{ $c.Cert | certSANs }}'],
];

// ---------------------------------------------------------------------------------------------
// Struct values (time.Time, sprig's certificate) under eq, fmt, len, index, reflection and copies:
// text/template funcs.go eq (`==` for comparable kinds), fmt print.go (fields, %p), copystructure
// ---------------------------------------------------------------------------------------------

const CERT = 'buildCustomCert (b64enc .leafPem) (b64enc .keyPkcs1)';

const STRUCT_VALUES: Row[] = [
  // time.Time == compares the instant, the monotonic reading and the *Location pointer.
  ['time-eq', '{{ $t := toDate "2006-01-02" "2024-03-04" }}{{ eq $t $t }} {{ eq $t (toDate "2006-01-02" "2024-03-04") }} {{ eq $t (toDate "2006-01-02" "2024-03-05") }} {{ eq $t $t.UTC }} {{ eq $t.UTC $t.UTC }} {{ eq $t.UTC (toDate "2006-01-02Z07:00" "2024-03-04Z") }} {{ eq $t (toDate "2006-01-02Z07:00" "2024-03-04+00:00") }} {{ ne $t $t.Local }} {{ ne $t $t.UTC }} {{ eq $t (toDate "2006" "2025") $t }} {{ eq $t nil }} {{ eq nil $t }} {{ eq $t (deepCopy $t) }} {{ eq (toDate "x" "y") (toDate "z" "w") }} {{ eq $t (semver "1").IncMajor }}'],
  // FixedZone shares one *Location per whole hour from -12 to +14 for unnamed zones.
  ['time-eq-zones', '{{ eq (toDate "2006Z07:00" "2024+01:00") (toDate "2006Z07:00" "2024+01:00") }} {{ eq (toDate "2006Z07:00" "2024+01:30") (toDate "2006Z07:00" "2024+01:30") }} {{ eq (toDate "2006Z07:00" "2024+14:00") (toDate "2006Z07:00" "2024+14:00") }} {{ eq (toDate "2006Z07:00" "2024+15:00") (toDate "2006Z07:00" "2024+15:00") }} {{ eq (toDate "2006Z07:00" "2024-12:00") (toDate "2006Z07:00" "2024-12:00") }} {{ eq (toDate "2006Z07:00" "2024-13:00") (toDate "2006Z07:00" "2024-13:00") }} {{ eq (toDate "2006 MST" "2024 CET") (toDate "2006 MST" "2024 CET") }}'],
  // reflect.DeepEqual compares the *Location's contents where == compares the pointer.
  ['time-deepEqual-zones', '{{ deepEqual (toDate "2006Z07:00" "2024+01:30") (toDate "2006Z07:00" "2024+01:30") }} {{ deepEqual (toDate "2006 MST" "2024 CET") (toDate "2006 MST" "2024 CET") }} {{ deepEqual (toDate "2006 MST" "2024 CET") (toDate "2006 MST" "2024 EET") }} {{ deepEqual (toDate "2006Z07:00" "2024+01:00") (toDate "2006Z07:00" "2024+02:00" | dateModify "-1h") }} {{ deepEqual (toDate "2006" "2024") (toDate "2006" "2024").UTC }} {{ has (toDate "2006Z07:00" "2024+01:30") (list (toDate "2006Z07:00" "2024+01:30")) }}'],
  // A monotonic reading: stripped by UTC and Local, kept by Add while the time stays in 1885..2157.
  ['time-eq-monotonic', '{{ $t := now }}{{ eq $t $t }} {{ eq $t $t.UTC }} {{ eq $t.UTC $t.UTC }} {{ eq $t $t.Local }} {{ eq $t ($t | dateModify "0s") }} {{ eq $t ($t | dateModify "1h" | dateModify "-1h") }} {{ eq $t ($t | dateModify "2000000h" | dateModify "-2000000h") }} {{ ($t | dateModify "2000000h" | dateModify "-2000000h").Equal $t }} {{ deepEqual $t $t.Local }}'],
  ['time-monotonic-range', '{{ $t := now }}{{ regexMatch " m=" (print ($t | dateModify "1000000h")) }} {{ regexMatch " m=" (print ($t | dateModify "2000000h")) }} {{ regexMatch " m=" (print ($t | dateModify "-1000000h")) }} {{ regexMatch " m=" (print ($t | dateModify "-2000000h")) }} {{ regexMatch " m=" (print ($t | mustDateModify "2562047h47m16.854775807s")) }}'],
  // fmt: verbs other than %v %s %q %x %X, and any verb inside a bad-verb form, print the fields.
  ['time-printf-fields', '{{ $u := (toDate "2006-01-02 15:04:05.999999999" "2024-03-04 05:06:07.123456789").UTC }}{{ printf "%d|%+d|%b|%o|%10.3d|%-5d|% d|%t|%e|%c|%U|%O|%p|%#p|%X" $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u }} {{ printf "%d|%t|%v" (list $u) (dict "a" $u) (list $u) }} {{ printf "%d" (toDate "x" "y") }} {{ printf "%d" (toDate "2006" "1600").UTC }}'],
  ['time-printf-local', '{{ printf "%t" (toDate "2006" "2024") }} {{ printf "%v" (list (printf "%e" (toDate "2006" "2024"))) }}'],
  ['pointer-verb-non-pointers', '{{ printf "%p" (int64 5) }} {{ printf "%p" (index "a" 0) }} {{ printf "%p" (semver "1").Major }} {{ printf "%p" (semver "1").IncMajor }} {{ printf "%p" 1 }} {{ printf "%p" nil }}'],
  // sprig's certificate is a struct of two strings: ==, DeepEqual and copies compare them.
  ['cert-eq', `{{ $c := ${CERT} }}{{ eq $c $c }} {{ eq $c (${CERT}) }} {{ ne $c (buildCustomCert (b64enc .rootPem) (b64enc .keyPkcs1)) }} {{ eq $c nil }} {{ eq $c (toDate "2006" "2024") }} {{ eq $c (semver "1").IncMajor }} {{ eq $c (deepCopy $c) }} {{ deepEqual $c (${CERT}) }}`],
  ['cert-eq-generated', '{{ $ca := genCA "ca" 3 }}{{ eq $ca $ca }} {{ eq $ca (genCA "ca" 3) }} {{ eq $ca (deepCopy $ca) }} {{ typeOf (deepCopy $ca) }}'],
  ['cert-copies', `{{ $c := ${CERT} }}{{ $d := dict "c" $c }}{{ typeOf (deepCopy $c) }} {{ kindOf (deepCopy $c) }} {{ deepEqual (deepCopy $d) $d }} {{ typeOf (deepCopy $d).c }} {{ toJson (deepCopy $c) | sha256sum }} {{ toPrettyJson (list $c) | sha256sum }} {{ (genSignedCert "x" nil nil 3 (deepCopy (genCA "ca" 3))).Cert | hasPrefix "-----BEGIN CERTIFICATE-----" }}`],
  ['cert-printf-pointer', `{{ printf "%p" (${CERT}) | sha256sum }}`],
  ['cert-len', `{{ len (${CERT}) }}`],
  ['cert-index', `{{ index (${CERT}) "Cert" }}`],
  ['cert-hasKey', `{{ hasKey (${CERT}) "Cert" }}`],
  ['cert-keys', `{{ keys (${CERT}) }}`],
  ['cert-get', `{{ get (${CERT}) "Key" }}`],
  ['cert-range', `{{ range ${CERT} }}x{{ end }}`],
];

// ---------------------------------------------------------------------------------------------
// ESO's functions (runtime/template/v2), on the Go-made certificate material
// ---------------------------------------------------------------------------------------------

const ESO: Row[] = [
  ['filterPEM-cert', '{{ filterPEM "CERTIFICATE" .bundle }}'],
  ['filterPEM-key', '{{ filterPEM "PRIVATE KEY" .bundle }}'],
  ['filterPEM-case', '{{ filterPEM "certificate" .chainPem | len }}'],
  ['filterPEM-none', '[{{ filterPEM "EC PRIVATE KEY" .bundle }}]'],
  ['filterPEM-junk', '{{ filterPEM "CERTIFICATE" "just junk" }}'],
  ['filterPEM-empty', '[{{ filterPEM "CERTIFICATE" "" }}]'],
  ['filterPEM-headers', '{{ filterPEM "RSA PRIVATE KEY" .encryptedPem }}'],
  ['filterPEM-bad-base64', '[{{ filterPEM "CERTIFICATE" "-----BEGIN CERTIFICATE-----\\n!!!!\\n-----END CERTIFICATE-----\\n" }}]'],
  ['filterPEM-crlf', '{{ filterPEM "CERTIFICATE" (replace "\\n" "\\r\\n" .leafPem) | sha256sum }}'],
  ['filterPEM-no-trailing-newline', '{{ filterPEM "CERTIFICATE" (trimSuffix "\\n" .leafPem) | sha256sum }}'],
  ['filterPEM-spaces-in-body', '{{ filterPEM "CERTIFICATE" (replace "MII" " MII" .leafPem) | sha256sum }}'],
  ['filterPEM-trailing-junk', '{{ filterPEM "CERTIFICATE" (print .leafPem "trailing junk") | sha256sum }}'],
  ['filterPEM-mismatched-end', '[{{ filterPEM "CERTIFICATE" (replace "END CERTIFICATE" "END OTHER" .leafPem) }}]'],
  ['certSANs', '{{ certSANs .leafPem }}'],
  ['certSANs-chain-junk', '{{ certSANs .bundle }}'],
  ['certSANs-bad', '{{ certSANs "nothing" }}'],
  ['certSANs-root', '{{ certSANs .rootPem }}'],
  ['filterCertChain-leaf', '{{ filterCertChain "leaf" .chainShuffled | sha256sum }}'],
  ['filterCertChain-intermediate', '{{ filterCertChain "intermediate" .chainShuffled | sha256sum }}'],
  ['filterCertChain-root', '{{ filterCertChain "root" .chainShuffled | sha256sum }}'],
  ['filterCertChain-other', '[{{ filterCertChain "other" .chainPem }}]'],
  ['filterCertChain-single-root', '[{{ filterCertChain "leaf" .rootPem }}]'],
  ['filterCertChain-disjunct', '{{ filterCertChain "leaf" (print .leafPem .rootPem) }}'],
  ['filterCertChain-bad', '{{ filterCertChain "leaf" "junk" }}'],
  ['pkcs12key', '{{ .pfxBin | pkcs12key | sha256sum }}'],
  ['pkcs12key-b64dec', '{{ .pfxNoPass | b64dec | pkcs12key | sha256sum }}'],
  ['pkcs12cert', '{{ .pfxBin | pkcs12cert | sha256sum }}'],
  ['pkcs12cert-b64dec', '{{ .pfxNoPass | b64dec | pkcs12cert | sha256sum }}'],
  ['pkcs12keyPass', '{{ .pfxLegacyBin | pkcs12keyPass "s3cret" | sha256sum }}'],
  ['pkcs12certPass', '{{ .pfxLegacyBin | pkcs12certPass "s3cret" | sha256sum }}'],
  ['pkcs12keyPass-wrong', '{{ .pfxLegacyBin | pkcs12keyPass "wrong" }}'],
  ['pkcs12key-ec', '{{ .pfxEcBin | pkcs12key | sha256sum }}'],
  ['pkcs12key-junk', '{{ pkcs12key "junk" }}'],
  ['pkcs12-tls-pair', '{"tls.crt":{{ .pfxBin | pkcs12cert | filterPEM "CERTIFICATE" | toJson }},"tls.key":{{ .pfxBin | pkcs12key | toJson }}}'],
  ['pemToPkcs12-roundtrip', '{{ pemToPkcs12 .leafPem .keyPkcs8 | b64dec | pkcs12cert | sha256sum }}'],
  ['pemToPkcs12-pkcs1', '{{ pemToPkcs12 .leafPem .keyPkcs1 | b64dec | pkcs12key | sha256sum }}'],
  ['pemToPkcs12Pass-roundtrip', '{{ pemToPkcs12Pass .leafPem .keyPkcs8 "pw" | b64dec | pkcs12keyPass "pw" | sha256sum }}'],
  ['fullPemToPkcs12-roundtrip', '{{ fullPemToPkcs12 .chainPem .keyPkcs8 | b64dec | pkcs12cert | sha256sum }}'],
  ['fullPemToPkcs12Pass-roundtrip', '{{ fullPemToPkcs12Pass .chainPem .keyPkcs8 "pw" | b64dec | pkcs12certPass "pw" | sha256sum }}'],
  ['pemToPkcs12-no-pem', '{{ pemToPkcs12 "junk" .keyPkcs8 }}'],
  ['pemToPkcs12-bad-key', '{{ pemToPkcs12 .leafPem .leafPem }}'],
  ['pemTruststoreToPKCS12', '{{ pemTruststoreToPKCS12 .chainPem | b64dec | len | lt 100 }}'],
  ['pemTruststoreToPKCS12Pass', '{{ pemTruststoreToPKCS12Pass .rootPem "pw" | b64dec | len | lt 100 }}'],
  ['pemTruststore-junk', '{{ pemTruststoreToPKCS12 "junk" }}'],
  ['jwkPublicKeyPem-rsa', '{{ jwkPublicKeyPem .jwkRsaPrivate | sha256sum }}'],
  ['jwkPublicKeyPem-ec', '{{ jwkPublicKeyPem .jwkEcPublic }}'],
  ['jwkPrivateKeyPem-rsa', '{{ jwkPrivateKeyPem .jwkRsaPrivate | sha256sum }}'],
  ['jwkPrivateKeyPem-public', '{{ jwkPrivateKeyPem .jwkEcPublic }}'],
  ['jwk-bad', '{{ jwkPublicKeyPem "{}" }}'],
  ['rsaDecrypt-oaep', '{{ rsaDecrypt "RSA-OAEP" "SHA256" .oaepBin .keyPkcs8 }}'],
  ['rsaDecrypt-b64dec', '{{ rsaDecrypt "RSA-OAEP" "SHA256" (.oaepSha256 | b64dec) .keyPkcs1 }}'],
  ['rsaDecrypt-sha1', '{{ rsaDecrypt "RSA-OAEP" "SHA1" (b64dec .oaepSha1) .keyPkcs8 }}'],
  ['rsaDecrypt-wrong-hash', '{{ rsaDecrypt "RSA-OAEP" "SHA512" (b64dec .oaepSha1) .keyPkcs8 }}'],
  ['rsaDecrypt-none', '{{ rsaDecrypt "None" "None" .host .keyPkcs8 }}'],
  ['rsaDecrypt-bad-scheme', '{{ rsaDecrypt "RSA-PKCS1" "SHA256" "x" .keyPkcs8 }}'],
  ['rsaDecrypt-ec-key', '{{ rsaDecrypt "RSA-OAEP" "SHA256" "x" .keyEc }}'],
  ['rsaDecrypt-no-pem', '{{ rsaDecrypt "RSA-OAEP" "SHA256" "x" "junk" }}'],
];

// ---------------------------------------------------------------------------------------------
// Typical ESO templates (also the benchmark's templates)
// ---------------------------------------------------------------------------------------------

export const TYPICAL: Row[] = [
  ['dockerconfigjson', '{"auths":{"{{ .host }}":{"username":"{{ .user }}","password":"{{ .password }}","auth":"{{ printf "%s:%s" .user .password | b64enc }}"}}}'],
  ['connection-string', 'postgres://{{ .user }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/app?sslmode=require'],
  ['fromJson-index', '{{ $c := .json | fromJson }}{{ index $c "a" "b" 2 "c" }}:{{ $c.s }}:{{ $c.n }}'],
  ['config-file', 'db:\n  host: {{ .host }}\n  port: {{ .port }}\n  user: {{ .user | quote }}\n  password: {{ .password | quote }}\n{{- range $i, $h := splitList "," .csv }}\n  - {{ $i }}: {{ $h | default "none" }}\n{{- end }}\n'],
];

// ---------------------------------------------------------------------------------------------
// Edge inputs
// ---------------------------------------------------------------------------------------------

const HUGE = 'x'.repeat(1_000_000);

function edgeCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const add = (name: string, template: string, data: Record<string, Uint8Array>) => cases.push({ group: 'edge', name: `edge/${name}`, template, data });
  add('empty-data-field', '{{ .x }}', {});
  add('empty-data-range', '{{ range $k, $v := . }}{{ $k }}{{ else }}none{{ end }}', {});
  add('empty-data-len', '{{ len . }}', {});
  add('empty-value', '[{{ .v }}][{{ .v | upper }}][{{ .v | b64enc }}][{{ .v | fromJson }}][{{ len .v }}]', { v: enc('') });
  add('empty-key', '{{ index . "" }}', { '': enc('empty-named') });
  add('odd-keys', '{{ index . "tls.crt" }} {{ index . "with space" }} {{ index . "ü" }}', { 'tls.crt': enc('c'), 'with space': enc('s'), 'ü': enc('u') });
  add('dotted-key-field', '{{ .tls.crt }}', { 'tls.crt': enc('c') });
  add('json-looking-key', '{{ index . "{\\"a\\":1}" }}', { '{"a":1}': enc('v') });
  add('huge-echo', '{{ .huge }}', { huge: enc(HUGE) });
  add('huge-len', '{{ len .huge }}', { huge: enc(HUGE) });
  add('huge-sha', '{{ sha256sum .huge }}', { huge: enc(HUGE) });
  add('huge-b64-len', '{{ .huge | b64enc | len }}', { huge: enc(HUGE) });
  add('huge-upper-trunc', '{{ .huge | upper | trunc 10 }}', { huge: enc(HUGE) });
  add('huge-regex', '{{ regexMatch "^x*$" .huge }}', { huge: enc(HUGE) });
  add('huge-replace-len', '{{ replace "x" "yy" .huge | len }}', { huge: enc(HUGE) });
  add('huge-json-array', '{{ len (fromJson .j) }}', { j: enc(`[${Array.from({ length: 100_000 }, (_, i) => i).join(',')}]`) });
  add('huge-output-over-1mib', '{{ repeat 2 .huge }}', { huge: enc(HUGE) });
  add('unicode-len-vs-runes', '{{ len .v }} {{ .v | trunc 3 }} {{ substr 0 3 .v }} {{ printf "%.3s|%5s|%-5s|" .v .v .v }}', { v: enc('日本語テキスト') });
  add('unicode-combining', '{{ upper .v }} {{ len .v }} {{ trunc 2 .v }}', { v: enc('e\u0301a\u0301') });
  add('unicode-bom', '{{ .v | b64enc }} {{ trim .v | len }}', { v: enc('\ufeffbom') });
  add('unicode-astral', '{{ .v | upper }} {{ len .v }} {{ .v | initials }} {{ .v | substr 0 1 | b64enc }}', { v: enc('𝒜𝒷c 😀x') });
  add('json-looking-value', '{{ .v }} {{ .v | toJson }} {{ (fromJson .v).k }}', { v: enc('{"k":"v","n":[1,2]}') });
  add('yaml-looking-value', '{{ (fromYaml .v).k }}', { v: enc('k: v\n') });
  add('control-chars', '{{ .v | quote }} {{ .v | toJson }} {{ .v | js }} {{ printf "%q" .v }}', { v: enc('a\u0000b\u0007c\u001bd\u007f') });
  // text/template's JSEscape copies every ASCII byte but \ ' " < > & = and controls (DEL and ` included).
  // Characters Unicode 16/17 assigns (Node 24's ICU) and Go 1.26's Unicode 15.0 tables do not:
  // not letters, not printable for Go, so escaped, converted and split as Go does.
  add('unicode-newer-than-go', '{{ js .v }}|{{ printf "%q %+q" .v .v }}|{{ .v | quote }}|{{ .v | snakecase }}|{{ .v | camelcase }}|{{ .v | title }}|{{ .v | swapcase }}|{{ regexReplaceAll "(a)" "a" (printf "$1%s" .v) }}', { v: enc('a\u088F b\u{10D40}c\u1C89 \u0295') });
  add('js-every-ascii', '{{ js .v }}', { v: new Uint8Array(Array.from({ length: 128 }, (_, i) => i)) });
  add('crlf', '{{ .v | indent 2 }}|{{ splitList "\\n" .v }}|{{ trim .v }}', { v: enc('l1\r\nl2\r\n') });
  add('binary-echo', '{{ .bin }}', WITH_BINARY);
  add('binary-len', '{{ len .bin }}', WITH_BINARY);
  add('binary-eq', '{{ eq .bin .bin }} {{ ne .bin .user }} {{ not .bin }}', WITH_BINARY);
  add('binary-index', '{{ index .bin 0 }}', WITH_BINARY);
  add('binary-b64enc', '{{ .bin | b64enc }}', WITH_BINARY);
  add('binary-sha256', '{{ sha256sum .bin }}', WITH_BINARY);
  add('binary-printf-x', '{{ printf "%x" .bin }}', WITH_BINARY);
  add('binary-printf-q', '{{ printf "%q" .bin }}', WITH_BINARY);
  add('binary-printf-s', '{{ printf "%s|%v" .bin .bin }}', WITH_BINARY);
  add('binary-quote', '{{ quote .bin }}', WITH_BINARY);
  add('binary-toJson', '{{ toJson .bin }}', WITH_BINARY);
  add('binary-upper', '{{ upper .bin }}', WITH_BINARY);
  add('binary-trunc', '{{ trunc 3 .bin | b64enc }}', WITH_BINARY);
  add('binary-substr', '{{ substr 1 4 .bin | b64enc }}', WITH_BINARY);
  add('binary-slice', '{{ slice .bin 1 3 | b64enc }}', WITH_BINARY);
  add('binary-concat-text', '{{ .user }}:{{ .bin }}', WITH_BINARY);
  add('binary-mixed-echo', '{{ .mixed }}', WITH_BINARY);
  add('binary-mixed-len', '{{ len .mixed }} {{ .mixed | b64enc }}', WITH_BINARY);
  add('binary-mixed-upper', '{{ upper .mixed | b64enc }}', WITH_BINARY);
  add('binary-range', '{{ range $k, $v := . }}{{ $k }}={{ len $v }};{{ end }}', WITH_BINARY);
  add('binary-nul', '{{ .nul | b64enc }} {{ len .nul }} {{ .nul | quote }}', WITH_BINARY);
  add('binary-regex', '{{ regexMatch "A" .bin }}', WITH_BINARY);
  add('binary-html', '{{ html .bin | b64enc }}', WITH_BINARY);
  add('binary-urlquery', '{{ urlquery .bin }}', WITH_BINARY);
  add('binary-hash-adler', '{{ adler32sum .bin }} {{ sha1sum .bin }}', WITH_BINARY);
  add('binary-print', '{{ print .bin .bin | len }}', WITH_BINARY);
  add('binary-default', '{{ default "x" .bin | b64enc }}', WITH_BINARY);
  add('binary-lt', '{{ lt .bin .user }} {{ lt .mixed .bin }}', WITH_BINARY);
  add('invalid-utf8-js', '{{ js .bin }}', WITH_BINARY);
  return cases;
}

// ---------------------------------------------------------------------------------------------
// The seeded random generator of compositions
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small deterministic PRNG (the same seed gives the same corpus on every machine). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pipeline stages: each takes the previous value as its last argument. */
const STAGES: readonly string[] = [
  'upper', 'lower', 'title', 'untitle', 'trim', 'b64enc', 'b64dec', 'b32enc', 'quote', 'squote',
  'sha256sum', 'sha1sum', 'adler32sum', 'len', 'toJson', 'toRawJson', 'fromJson', 'toYaml', 'fromYaml',
  'trunc 5', 'trunc -3', 'substr 1 4', 'abbrev 6', 'replace "a" "A"', 'replace "" "-"', 'indent 2',
  'nindent 1', 'splitList ","', 'splitList ""', 'split " "', 'join ","', 'first', 'last', 'rest',
  'sortAlpha', 'uniq', 'reverse', 'compact', 'toString', 'toStrings', 'printf "%q"', 'printf "%x"',
  'printf "%v"', 'printf "%T"', 'printf "%5.2s|"', 'printf "%d"', 'printf "%s:%s" "k"', 'urlquery',
  'html', 'js', 'snakecase', 'camelcase', 'kebabcase', 'swapcase', 'initials', 'nospace', 'repeat 2',
  'cat "x"', 'list', 'list 1', 'dict "k"', 'keys', 'values', 'regexFind "[0-9]+"',
  'regexFindAll "[a-z]" 3', 'regexReplaceAll "[aeiou]" "_"', 'regexReplaceAll "(\\\\w+)" "<${1}>"',
  'regexSplit "\\\\s+" -1', 'regexMatch "^[a-z]+$"', 'regexQuoteMeta', 'atoi', 'int', 'int64',
  'float64', 'add 1', 'mul 2', 'sub 1', 'max 3', 'floor', 'round 1', 'typeOf', 'kindOf', 'default "d"',
  'empty', 'not', 'hexdec', 'plural "one" "many"', 'contains "a"', 'hasPrefix "a"', 'trimAll "a"',
  'trimSuffix "\\n"', 'wrap 4', 'until', 'seq', 'toPrettyJson', 'print', 'println', 'eq "admin"',
  'lt "m"', 'index . 0', 'slice . 1', 'deepEqual "x"', 'ternary "y" "n"', 'coalesce ""', 'uniq',
  'mustToJson', 'mustFromJson', 'get (dict "a" 1)', 'pluck "a"', 'filterPEM "CERTIFICATE"', 'certSANs',
];

/** Data keys the generator draws from (text of many shapes, plus two that are not UTF-8). */
const GEN_KEYS: readonly string[] = [
  'user', 'password', 'host', 'port', 'json', 'jsonArr', 'yaml', 'csv', 'multi', 'uni', 'greek', 'empty',
  'space', 'num', 'neg', 'float', 'sci', 'hexnum', 'big', 'nan', 'b64', 'hex', 'html', 'url', 'words',
  'camel', 'list', 'ws', 'dollar', 'bin', 'mixed',
];

/** Literal seeds besides data values. */
const GEN_LITERALS: readonly string[] = ['"abc"', '"a,b,c"', '42', '-1', '1.5', '"{\\"a\\":[1,2]}"', '(list "b" "a")', '(dict "a" 1 "b" "x")', 'nil', 'true', '""'];

export const GENERATOR_SEED = 20_260_808;
export const GENERATED_COUNT = 3_000;

/** `count` random compositions: 1–4 stages over a data value or literal, in one of five shapes. */
export function generatedCases(seed = GENERATOR_SEED, count = GENERATED_COUNT): DiffCase[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: DiffCase[] = [];
  for (let i = 0; i < count; i++) {
    const source = rnd() < 0.85 ? `.${pick(GEN_KEYS)}` : pick(GEN_LITERALS);
    const stages = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(STAGES));
    const pipeline = [source, ...stages].join(' | ');
    const nested = stages.reduce((acc, s) => (s.includes(' ') ? `(${s} ${acc})` : `(${s} ${acc})`), source).replace(/^\((.*)\)$/, '$1');
    const shape = rnd();
    let template: string;
    if (shape < 0.5) template = `{{ ${pipeline} }}`;
    else if (shape < 0.65) template = `{{ ${nested} }}`;
    else if (shape < 0.77) template = `{{ if ${pipeline} }}T{{ else }}F{{ end }}`;
    else if (shape < 0.9) template = `{{ range $i, $v := ${pipeline} }}{{ $i }}={{ $v }};{{ else }}none{{ end }}`;
    else template = `{{ with $x := ${pipeline} }}[{{ $x }}]{{ else }}empty{{ end }}`;
    out.push({ group: 'generated', name: `gen/${String(i).padStart(4, '0')}`, template, data: WITH_BINARY });
  }
  return out;
}

/** The whole corpus: hand-written cases, edge inputs and the generated ones. */
export function differentialCorpus(seed = GENERATOR_SEED, count = GENERATED_COUNT): DiffCase[] {
  return [
    ...group('language', STD, LANGUAGE),
    ...group('strings', WITH_BINARY, STRINGS),
    ...group('collections', STD, COLLECTIONS),
    ...group('numbers', STD, NUMBERS),
    ...group('encoding', STD, ENCODING),
    ...group('time-random', STD, TIME_AND_RANDOM),
    ...group('struct-values', CERTS, STRUCT_VALUES),
    ...group('eso', CERTS, ESO),
    ...group('typical', STD, TYPICAL),
    ...edgeCases(),
    ...generatedCases(seed, count),
  ];
}

export { CERTS as CERT_DATA, STD as STD_DATA };
