import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeTemplate, parseTemplate, renderTemplate, TemplateError } from '../../../../src/core/template/index.ts';

function renderError(source: string, data: unknown = {}, name = 'T'): TemplateError {
  try {
    renderTemplate(source, data, name);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the template to fail');
}

describe('ESO documented template examples', () => {
  it('builds a dockerconfigjson from a user and a password', () => {
    const source = '{"auths":{"registry.example.com":{"auth":"{{ printf "%s:%s" .username .password | b64enc }}"}}}';
    const out = renderTemplate(source, { username: 'robot', password: 'p@ss' }, '.dockerconfigjson');
    assert.equal(out, `{"auths":{"registry.example.com":{"auth":"${Buffer.from('robot:p@ss').toString('base64')}"}}}`);
    assert.deepEqual(JSON.parse(out), { auths: { 'registry.example.com': { auth: 'cm9ib3Q6cEBzcw==' } } });
  });

  it('builds a connection string with the password url-encoded', () => {
    const out = renderTemplate('postgres://{{ .user }}:{{ .password | urlquery }}@db:5432/app', { user: 'app', password: 'a b/c' });
    assert.equal(out, 'postgres://app:a+b%2Fc@db:5432/app');
  });

  it('base64-encodes a value piped into b64enc', () => {
    assert.equal(renderTemplate('{{ .password | b64enc }}', { password: 'hunter2' }), 'aHVudGVyMg==');
  });

  it('reads a JSON secret with fromJson and picks a nested key', () => {
    assert.equal(renderTemplate('{{ (.config | fromJson).db.host }}', { config: '{"db":{"host":"pg"}}' }), 'pg');
  });

  it('keeps only the certificate blocks with filterPEM', () => {
    const pem = 'junk\n-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n';
    assert.equal(renderTemplate('{{ .tls | filterPEM "CERTIFICATE" }}', { tls: pem }), '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n');
    assert.equal(renderTemplate('{{ .tls | filterPEM "private key" }}', { tls: pem }), '-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n');
  });
});

describe('error positions', () => {
  it('reports the line and Go column of a syntax error', () => {
    const e = renderError('line one\n  {{ .a | nosuch }}', { a: 'x' }, 'DB_URL');
    assert.equal(e.kind, 'parse');
    assert.equal(e.templateName, 'DB_URL');
    assert.equal(e.line, 2);
    assert.equal(e.column, 10);
    assert.equal(e.message, 'template: DB_URL:2:10: function "nosuch" not defined');
  });

  it('reports the position and node of a missing key at execution', () => {
    const e = renderError('ok\n{{ .user }}:{{ .pass }}', { user: 'u' }, 'DB_URL');
    assert.equal(e.kind, 'exec');
    assert.equal(e.line, 2);
    assert.equal(e.column, 15);
    assert.equal(e.message, 'template: DB_URL:2:15: executing "DB_URL" at <.pass>: map has no entry for key "pass"');
  });

  it('names the defined template being executed', () => {
    const e = renderError('{{ define "inner" }}{{ .missing }}{{ end }}{{ template "inner" . }}', { a: 'x' }, 'outer');
    assert.match(e.message, /executing "inner" at <\.missing>/);
  });

  it('counts columns in bytes, as Go does', () => {
    const e = renderError('é{{ .x }}', {});
    assert.equal(e.column, 5);
  });
});

describe('parseTemplate and executeTemplate', () => {
  it('parses once and executes with different data', () => {
    const t = parseTemplate('{{ .a }}-{{ .b | upper }}', 'pair');
    assert.equal(t.name, 'pair');
    assert.equal(executeTemplate(t, { a: '1', b: 'x' }), '1-X');
    assert.equal(executeTemplate(t, { a: '2', b: 'y' }), '2-Y');
  });

  it('does not modify the caller data when a template sets keys on a copy', () => {
    const data = { a: 'x' };
    renderTemplate('{{ $d := dict "k" .a }}{{ $_ := set $d "z" 1 }}{{ $d.z }}', data);
    assert.deepEqual(data, { a: 'x' });
  });

  it('keeps __proto__ keys as ordinary map entries', () => {
    assert.equal(renderTemplate('{{ $d := dict "__proto__" "v" }}{{ get $d "__proto__" }} {{ len $d }}', {}), 'v 1');
    assert.equal(renderTemplate('{{ (fromJson .j).__proto__ }}', { j: '{"__proto__":"w"}' }), 'w');
  });
});

describe('guard rails', () => {
  it('stops a template that runs too many steps', () => {
    const t = parseTemplate('{{ range until 1000000 }}{{ end }}');
    assert.throws(() => executeTemplate(t, {}, { maxSteps: 10_000 }), (e: unknown) => e instanceof TemplateError && e.kind === 'limit');
  });

  it('stops output beyond the byte limit', () => {
    const t = parseTemplate('{{ range until 100 }}0123456789{{ end }}');
    assert.throws(() => executeTemplate(t, {}, { maxOutputBytes: 500 }), (e: unknown) => e instanceof TemplateError && e.kind === 'limit' && /500 bytes/.test(e.message));
    assert.equal(executeTemplate(t, {}, { maxOutputBytes: 1000 }).length, 1000);
  });

  it('refuses to build a value larger than the output limit', () => {
    const t = parseTemplate('{{ $x := repeat 100000000 "ab" }}done');
    assert.throws(() => executeTemplate(t, {}), (e: unknown) => e instanceof TemplateError && e.kind === 'limit');
  });

  // Found by fuzzing: each of these ran the operator (--max-old-space-size=384) out of memory, or
  // would have: a value is bounded when it is made, not only when it is written.
  it('bounds every value a function makes, before it is built where the function multiplies its input', () => {
    const limit = (e: unknown) => e instanceof TemplateError && e.kind === 'limit' && /a value exceeds the limit of 8388608 bytes/.test(e.message);
    for (const source of [
      '{{ randAlpha 30000000 | len }}',
      '{{ randAscii 2147483648 }}',
      '{{ $s := "aaaaaaaaaaaaaaaa" }}{{ range until 24 }}{{ $s = print $s $s }}{{ end }}{{ $s | len }}',
      '{{ $s := "ab" }}{{ range until 24 }}{{ $s = cat $s $s }}{{ end }}',
      '{{ $s := "ab" }}{{ range until 24 }}{{ $s = list $s $s | join "" }}{{ end }}',
      '{{ $s := repeat 100000 "ab" }}{{ replace "a" (repeat 1000 "x") $s | len }}',
      '{{ $s := repeat 10000 "ab" }}{{ replace "" (repeat 1000 "x") $s | len }}',
      '{{ $s := repeat 100000 "ab" }}{{ regexReplaceAll "a" $s (repeat 1000 "x") | len }}',
      '{{ $s := repeat 100000 "ab" }}{{ regexReplaceAllLiteral "b" $s (repeat 1000 "y") | len }}',
    ]) {
      assert.throws(() => executeTemplate(parseTemplate(source), {}), limit, source);
    }
    // Larger than the output, as Go allows: a 1 MiB value's base64 or a doubled copy, measured.
    assert.equal(executeTemplate(parseTemplate('{{ randAlpha 8388608 | len }} {{ replace "a" "xx" (repeat 1048576 "a") | len }} {{ regexReplaceAll "a" (repeat 1000 "a") "$0$0" | len }} {{ repeat 1048576 "a" | b64enc | len }}'), {}), '8388608 2097152 2000 1398104');
  });

  // Go: parentheses up to 10,000 (parse.go maxStackDepth), control structures unbounded; here 1,000
  // together (docs/limits.md). Beyond it, deep templates overflowed Node's stack (found by fuzzing).
  it('parses 1,000 nested levels of control structures and parentheses, and refuses more with a parse error', () => {
    const ifs = (n: number) => '{{if 1}}'.repeat(n) + 'x' + '{{end}}'.repeat(n);
    const parens = (n: number) => `{{ ${'('.repeat(n)}1${')'.repeat(n)} }}`;
    assert.equal(executeTemplate(parseTemplate(ifs(999)), {}), 'x');
    assert.equal(executeTemplate(parseTemplate(parens(999)), {}), '1');
    assert.equal(executeTemplate(parseTemplate(`{{if 1}}${parens(998)}{{end}}`), {}), '1');
    const refused = (source: string, message: RegExp) =>
      assert.throws(() => parseTemplate(source), (e: unknown) => e instanceof TemplateError && e.kind === 'parse' && message.test(e.message), source.slice(0, 40));
    refused(ifs(1_001), /max nesting depth exceeded \(1000 levels/);
    refused(ifs(20_000), /max nesting depth exceeded/);
    refused('{{with 1}}'.repeat(1_001) + '{{end}}'.repeat(1_001), /max nesting depth exceeded/);
    refused('{{define "d"}}' + '{{range .}}'.repeat(1_000) + '{{end}}'.repeat(1_001), /max nesting depth exceeded/);
    refused(parens(1_001), /max expression depth exceeded/);
    refused(`{{if 1}}${parens(1_000)}{{end}}`, /max expression depth exceeded/);
  });

  // The step limit counts actions, not their cost: `genPrivateKey "rsa"` costs ~0.6 s, bcrypt ~0.1 s,
  // and a render holds the operator's only thread (found by fuzzing: 50,000 steps of them, hours).
  it('stops a render that runs longer than maxRenderMs on the clock it is given', () => {
    let ms = 0;
    const clockMs = () => (ms += 40); // each reading 40 ms later
    const t = parseTemplate('{{ range until 1000 }}{{ upper "x" }}{{ end }}');
    assert.throws(
      () => executeTemplate(t, {}, { maxRenderMs: 1_000, clockMs }),
      (e: unknown) => e instanceof TemplateError && e.kind === 'limit' && /exceeded the limit of 1000 ms of rendering/.test(e.message),
    );
    ms = 0;
    assert.equal(executeTemplate(parseTemplate('{{ range until 5 }}{{ upper "x" }}{{ end }}'), {}, { maxRenderMs: 1_000, clockMs }), 'XXXXX');
    // The default clock and budget: an ordinary render is far inside them.
    assert.equal(executeTemplate(t, {}).length, 1000);
  });

  it('stops unbounded template recursion', () => {
    const e = renderError('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}');
    assert.equal(e.kind, 'limit');
  });
});

describe('unsupported functions', () => {
  it('parses the sprig functions Projector lacks (docs/templates.md) but refuses to run them', () => {
    for (const source of ['{{ getHostByName "example.com" }}', '{{ (semver "1.0.0").MarshalJSON }}']) {
      const e = renderError(source, { p: 'x' });
      assert.equal(e.kind, 'unsupported', source);
      assert.equal(e.toProjectorError().code, 'NotSupported');
    }
  });

  it('rejects functions ESO does not define, such as env and Helm\'s required', () => {
    assert.equal(renderError('{{ env "HOME" }}').kind, 'parse');
    assert.equal(renderError('{{ required "x" .a }}', { a: 'b' }).kind, 'parse');
  });

  it('maps parse errors to InvalidSpec and execution errors to a retried code', () => {
    assert.equal(renderError('{{ if }}').toProjectorError('spec.target.template.data.x').code, 'InvalidSpec');
    assert.equal(renderError('{{ .missing }}').toProjectorError().code, 'VaultBadValue');
  });
});

describe('Go regular expressions', () => {
  it('accepts named groups and inline flags', () => {
    assert.equal(renderTemplate('{{ regexReplaceAll "(?P<k>\\\\w+)=(?P<v>\\\\w+)" .s "${v}:${k}" }}', { s: 'a=1 b=2' }), '1:a 2:b');
    assert.equal(renderTemplate('{{ regexMatch "(?i)^ADMIN$" .u }}', { u: 'admin' }), 'true');
  });

  it('rejects constructs RE2 does not have, with Go\'s reason', () => {
    const e = renderError('{{ regexFind "a(?=b)" .s }}', { s: 'ab' });
    assert.match(e.message, /error calling regexFind: regexp: Compile: error parsing regexp: invalid or unsupported Perl syntax$/);
  });
});

describe('parse cache', () => {
  it('parses a template once and reuses the tree for every render of the same name and source', async () => {
    const { parsedTemplate, renderTemplate } = await import('../../../../src/core/template/index.ts');
    const source = '{{ .a | upper }}-cache-test';
    const first = parsedTemplate(source, 'cached');
    assert.equal(parsedTemplate(source, 'cached'), first);
    assert.notEqual(parsedTemplate(source, 'other-name'), first);
    assert.equal(renderTemplate(source, { a: 'x' }, 'cached'), 'X-cache-test');
    assert.equal(renderTemplate(source, { a: 'y' }, 'cached'), 'Y-cache-test');
  });
});

describe('escapers of a nil value', () => {
  // Go: text/template funcs.go evalArgs → printableValue(reflect.ValueOf(nil)) is "<no value>".
  it('html, js and urlquery print a nil interface as "<no value>" (outputs from Go 1.26)', () => {
    assert.equal(renderTemplate('{{ fromJson "not json" | urlquery }}', {}), '%3Cno+value%3E');
    assert.equal(renderTemplate('{{ html nil }}|{{ urlquery nil "x" }}', {}), '&lt;no value&gt;|%3Cno+value%3Ex');
  });
});
