import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoRegexp, quoteMeta } from '../../../src/core/go-regexp.ts';

/**
 * One call of Go's regexp package and its result. `error` is the regexp/syntax.Error code Go's
 * regexp.Compile returns; `want` is the method's result (null for Go's nil slice).
 */
interface GoCase {
  readonly op: 'compile' | 'match' | 'find' | 'findAll' | 'findAllSubmatch' | 'replace' | 'replaceLiteral' | 'split' | 'quoteMeta';
  readonly p?: string;
  readonly s?: string;
  readonly t?: string;
  readonly n?: number;
  readonly want?: unknown;
  readonly error?: string;
}

// Expected values computed by a throwaway Go 1.26 program (outside the repository) calling
// regexp.Compile, then (*regexp.Regexp).ReplaceAllString (with Expand's $ rules),
// ReplaceAllLiteralString, MatchString, FindString, FindAllString, FindAllStringSubmatch and
// Split, and regexp.QuoteMeta; compile failures are the syntax.Error's Code.
const GO_CASES: readonly GoCase[] = [
  {"op":"replace","p":"(.*)","s":"alerts","t":"${1}_MONITOR","want":"alerts_MONITOR"},
  {"op":"replace","p":"(.*)","s":"alerts","t":"$1_MONITOR","want":""},
  {"op":"replace","p":"(.*)","s":"","t":"x","want":"x"},
  {"op":"replace","p":"a*","s":"baaac","t":"-","want":"-b-c-"},
  {"op":"replace","p":"","s":"abc","t":"-","want":"-a-b-c-"},
  {"op":"replace","p":"","s":"","t":"-","want":"-"},
  {"op":"replace","p":"","s":"é😀","t":"-","want":"-é-😀-"},
  {"op":"replace","p":"x*","s":"é😀x","t":"-","want":"-é-😀-"},
  {"op":"replace","p":"(a)(b)?","s":"ab a","t":"[$1|$2|$3|$0]","want":"[a|b||ab] [a|||a]"},
  {"op":"replace","p":"(?P<first>\\w+) (?P<last>\\w+)","s":"John Smith","t":"$last, $first","want":"Smith, John"},
  {"op":"replace","p":"(?P<first>\\w+) (?P<last>\\w+)","s":"John Smith","t":"${last}_${first}","want":"Smith_John"},
  {"op":"replace","p":"(?P<first>\\w+) (?P<last>\\w+)","s":"John Smith","t":"$last_$first","want":"John"},
  {"op":"replace","p":"(?<n>b)","s":"abc","t":"<${n}>","want":"a<b>c"},
  {"op":"replace","p":"(b)","s":"abc","t":"$$1 $ ${ ${1 ${} $-","want":"a$1 $ ${ ${1 ${} $-c"},
  {"op":"replace","p":"(b)","s":"abc","t":"$01 ${01} $00 $0","want":"a   bc"},
  {"op":"replace","p":"(b)","s":"abc","t":"${1}0 $10 $1é ${é}","want":"ab0   c"},
  {"op":"replace","p":"(?i)dev-","s":"DEV-db dev-cache","t":"","want":"db cache"},
  {"op":"replace","p":"^","s":"a\nb","t":">","want":">a\nb"},
  {"op":"replace","p":"(?m)^","s":"a\nb","t":">","want":">a\n>b"},
  {"op":"replace","p":"(?m)$","s":"a\r\nb","t":"<","want":"a\r<\nb<"},
  {"op":"replace","p":"\\s","s":"a b\u00a0c\u2003d\te","t":"_","want":"a_b\u00a0c\u2003d_e"},
  {"op":"replace","p":"[[:alpha:]]+","s":"ab1é","t":"X","want":"X1é"},
  {"op":"replace","p":"\\pL+","s":"ab1é","t":"X","want":"X1X"},
  {"op":"replace","p":"\\Qa.b\\E","s":"a.b axb","t":"Q","want":"Q axb"},
  {"op":"replace","p":"\\bfoo\\b","s":"foo foobar","t":"X","want":"X foobar"},
  {"op":"replace","p":"(a+)(b*)","s":"aabab","t":"$2$1","want":"baaba"},
  {"op":"replace","p":"é","s":"héllo wörld é","t":"e","want":"hello wörld e"},
  {"op":"replace","p":".","s":"😀a","t":"[$0]","want":"[😀][a]"},
  {"op":"replace","p":"(?s).","s":"a\nb","t":".","want":"..."},
  {"op":"replace","p":".","s":"a\nb","t":".","want":".\n."},
  {"op":"replace","p":"(?U)a+","s":"aaa","t":"X","want":"XXX"},
  {"op":"replace","p":"a|ab","s":"ab","t":"X","want":"Xb"},
  {"op":"replace","p":"[^a]*","s":"baaac","t":"-","want":"-a-a-a-"},
  {"op":"replace","p":"^(a+)+$","s":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!","t":"X","want":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"},
  {"op":"replace","p":"^(a+)+$","s":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","t":"X","want":"X"},
  {"op":"replace","p":"\\z","s":"ab","t":"!","want":"ab!"},
  {"op":"replace","p":"\\Aa","s":"aa","t":"X","want":"Xa"},
  {"op":"replace","p":"(?:foo)?","s":"xfoo","t":"-","want":"-x-"},
  {"op":"replace","p":"-","s":"a-b","t":"$","want":"a$b"},
  {"op":"replace","p":"(x)","s":"x","t":"$x","want":""},
  {"op":"replaceLiteral","p":"a(x*)b","s":"-ab-axxb-","t":"${1}","want":"-${1}-${1}-"},
  {"op":"replaceLiteral","p":"","s":"ab","t":"$$","want":"$$a$$b$$"},
  {"op":"replaceLiteral","p":"a*","s":"baaac","t":"-","want":"-b-c-"},
  {"op":"match","p":"^(a+)+$","s":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!","want":false},
  {"op":"match","p":"prod","s":"my-prod-ns","want":true},
  {"op":"match","p":"^prod$","s":"my-prod-ns","want":false},
  {"op":"match","p":"","s":"x","want":true},
  {"op":"match","p":"(?i)ADMIN","s":"admin","want":true},
  {"op":"match","p":"\\s","s":"\u00a0","want":false},
  {"op":"match","p":"\\s","s":"\u000b","want":false},
  {"op":"match","p":"[[:space:]]","s":"\u000b","want":true},
  {"op":"match","p":"\\d","s":"٣","want":false},
  {"op":"match","p":"\\w","s":"é","want":false},
  {"op":"match","p":"\\pN","s":"٣","want":true},
  {"op":"find","p":"[0-9]+","s":"ab123cd45","want":"123"},
  {"op":"find","p":"x","s":"abc","want":""},
  {"op":"find","p":"é+","s":"aééb","want":"éé"},
  {"op":"findAll","p":"[0-9]+","s":"ab123cd45e6","n":-1,"want":["123","45","6"]},
  {"op":"findAll","p":"[0-9]+","s":"ab123cd45e6","n":2,"want":["123","45"]},
  {"op":"findAll","p":"[0-9]+","s":"ab123cd45e6","n":0,"want":null},
  {"op":"findAll","p":"x","s":"abc","n":-1,"want":null},
  {"op":"findAll","p":"a*","s":"baaac","n":-1,"want":["","aaa",""]},
  {"op":"findAll","p":"","s":"é😀","n":-1,"want":["","",""]},
  {"op":"findAll","p":"","s":"","n":-1,"want":[""]},
  {"op":"findAll","p":"a|","s":"bab","n":-1,"want":["","a",""]},
  {"op":"findAllSubmatch","p":"(a)(x)?","s":"a a","n":-1,"want":[["a","a",""],["a","a",""]]},
  {"op":"findAllSubmatch","p":"(?P<k>\\w+)=(?P<v>\\w*)","s":"a=1 b=","n":-1,"want":[["a=1","a","1"],["b=","b",""]]},
  {"op":"split","p":"z+","s":"pizza","n":-1,"want":["pi","a"]},
  {"op":"split","p":"","s":"abc","n":-1,"want":["a","b","c"]},
  {"op":"split","p":"","s":"é😀","n":-1,"want":["é","😀"]},
  {"op":"split","p":"a","s":"","n":-1,"want":[""]},
  {"op":"split","p":"","s":"","n":-1,"want":[]},
  {"op":"split","p":"a*","s":"baaac","n":-1,"want":["b","c"]},
  {"op":"split","p":",","s":"a,b,,c","n":2,"want":["a","b,,c"]},
  {"op":"split","p":",","s":"a,b,,c","n":0,"want":null},
  {"op":"split","p":",","s":"a,b,,c","n":1,"want":["a,b,,c"]},
  {"op":"split","p":",","s":",a,","n":-1,"want":["","a",""]},
  {"op":"split","p":"x*","s":"axbxxc","n":-1,"want":["a","b","c"]},
  {"op":"split","p":"é","s":"aébéc","n":-1,"want":["a","b","c"]},
  {"op":"compile","p":"","want":true},
  {"op":"compile","p":"(?i)abc","want":true},
  {"op":"compile","p":"(?P<n>x)","want":true},
  {"op":"compile","p":"(?<n>x)","want":true},
  {"op":"compile","p":"\\z","want":true},
  {"op":"compile","p":"[[:alpha:]]","want":true},
  {"op":"compile","p":"[[:word:]]","want":true},
  {"op":"compile","p":"[[:foo:]]","error":"invalid character class range"},
  {"op":"compile","p":"\\Qa.b\\E","want":true},
  {"op":"compile","p":"\\Qab","want":true},
  {"op":"compile","p":"\\pL","want":true},
  {"op":"compile","p":"\\p{Greek}","want":true},
  {"op":"compile","p":"\\p{Foo}","error":"invalid character class range"},
  {"op":"compile","p":"x{1000}","want":true},
  {"op":"compile","p":"x{1001}","error":"invalid repeat count"},
  {"op":"compile","p":"x{2,1001}","error":"invalid repeat count"},
  {"op":"compile","p":"x{1001,}","error":"invalid repeat count"},
  {"op":"compile","p":"(?=a)","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"(?!a)","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"(?<=a)","error":"invalid named capture"},
  {"op":"compile","p":"(?<!a)","error":"invalid named capture"},
  {"op":"compile","p":"(a)\\1","error":"invalid escape sequence"},
  {"op":"compile","p":"\\k<n>","error":"invalid escape sequence"},
  {"op":"compile","p":"a++","error":"invalid nested repetition operator"},
  {"op":"compile","p":"a*+","error":"invalid nested repetition operator"},
  {"op":"compile","p":"(?>a)","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"(abc","error":"missing closing )"},
  {"op":"compile","p":"abc)","error":"unexpected )"},
  {"op":"compile","p":"[a","error":"missing closing ]"},
  {"op":"compile","p":"[z-a]","error":"invalid character class range"},
  {"op":"compile","p":"\\8","error":"invalid escape sequence"},
  {"op":"compile","p":"\\0","want":true},
  {"op":"compile","p":"\\01","want":true},
  {"op":"compile","p":"\\1","error":"invalid escape sequence"},
  {"op":"compile","p":"a**","error":"invalid nested repetition operator"},
  {"op":"compile","p":"(?P<n>a)(?P<n>b)","want":true},
  {"op":"compile","p":"(?P<1>a)","want":true},
  {"op":"compile","p":"(?P<>a)","error":"invalid named capture"},
  {"op":"compile","p":"(?P<a-b>x)","error":"invalid named capture"},
  {"op":"compile","p":"\\C","error":"invalid escape sequence"},
  {"op":"compile","p":"(?U)a+","want":true},
  {"op":"compile","p":"a{,3}","want":true},
  {"op":"compile","p":"\\X","error":"invalid escape sequence"},
  {"op":"compile","p":"(?P=n)","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"\\u0041","error":"invalid escape sequence"},
  {"op":"compile","p":"\\x{41}","want":true},
  {"op":"compile","p":"\\x{110000}","error":"invalid escape sequence"},
  {"op":"compile","p":"\\cA","error":"invalid escape sequence"},
  {"op":"compile","p":"[\\d-z]","want":true},
  {"op":"compile","p":"a{1000}{1000}","error":"invalid nested repetition operator"},
  {"op":"compile","p":"((a{100}){100}){100}","error":"invalid repeat count"},
  {"op":"compile","p":"(?z)","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"(?i","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"*","error":"missing argument to repetition operator"},
  {"op":"compile","p":"\\","error":"trailing backslash at end of expression"},
  {"op":"compile","p":"?","error":"missing argument to repetition operator"},
  {"op":"compile","p":"+a","error":"missing argument to repetition operator"},
  {"op":"compile","p":"(?:","error":"missing closing )"},
  {"op":"compile","p":"x{2}{3}","error":"invalid nested repetition operator"},
  {"op":"compile","p":"(?i)(?-i)a","want":true},
  {"op":"compile","p":"(?-)a","error":"invalid or unsupported Perl syntax"},
  {"op":"compile","p":"\\v","want":true},
  {"op":"compile","p":"\\a","want":true},
  {"op":"compile","p":"\\e","error":"invalid escape sequence"},
  {"op":"compile","p":"\\R","error":"invalid escape sequence"},
  {"op":"compile","p":"\\h","error":"invalid escape sequence"},
  {"op":"compile","p":"\\K","error":"invalid escape sequence"},
  {"op":"compile","p":"\\G","error":"invalid escape sequence"},
  {"op":"compile","p":"\\Z","error":"invalid escape sequence"},
  {"op":"compile","p":"\\N{x}","error":"invalid escape sequence"},
  {"op":"compile","p":"[[:^alpha:]]","want":true},
  {"op":"compile","p":"[\\Q]\\E]","error":"invalid escape sequence"},
  {"op":"compile","p":"\\pZ","want":true},
  {"op":"compile","p":"\\PL","want":true},
  {"op":"compile","p":"\\p{^L}","want":true},
  {"op":"compile","p":"[^\\x00-\\x{10FFFF}]","want":true},
  {"op":"compile","p":"\\b{","want":true},
  {"op":"compile","p":"(|a)","want":true},
  {"op":"compile","p":"()","want":true},
  {"op":"compile","p":"a{1,2}{3}","error":"invalid nested repetition operator"},
  {"op":"replace","p":"(?P<n>a)(?P<n>b)","s":"xab","t":"[$n|${n}|$1|$2]","want":"x[a|a|a|b]"},
  {"op":"replace","p":"(?P<n>a)|(?P<n>b)","s":"ab","t":"[$n]","want":"[a][b]"},
  {"op":"replace","p":"(?P<n>x)(?<n>y)","s":"xy","t":"$n","want":"x"},
  {"op":"replace","p":"[]](?P<n>a)(?P<n>b)(c)","s":"]abc","t":"$n$3","want":"ac"},
  {"op":"replace","p":"[[:alpha:]](?P<n>a)(x)(?P<n>b)","s":"zaxb","t":"$1 $2 $3 $n","want":"a x b a"},
  {"op":"replace","p":"\\Q(?P<n>\\E(?P<n>a)(?P<n>b)","s":"(?P<n>ab","t":"$n-$2","want":"a-b"},
  {"op":"replace","p":"[(?P<n>](?P<n>a)(?P<n>b)","s":"(ab","t":"$n-$2","want":"a-b"},
  {"op":"replace","p":"(?P<n>a)(?P<n>b)(?:c)((d))","s":"abcd","t":"$n$3$4","want":"add"},
  {"op":"compile","p":"(?P<n>a)(?P<n>b)(","error":"missing closing )"},
  {"op":"compile","p":"(?P<n>a)(?P<n>b)(?P<>c)","error":"invalid named capture"},
  {"op":"compile","p":"(?P<n>a)(?P<n>b)(?<=c)","error":"invalid named capture"},
  {"op":"findAllSubmatch","p":"(?P<n>a)|(?P<n>b)","s":"ab","n":-1,"want":[["a","a",""],["b","","b"]]},
  {"op":"quoteMeta","s":"1.5+[x]","want":"1\\.5\\+\\[x\\]"},
  {"op":"quoteMeta","s":"a\\b$^{}|()?*é","want":"a\\\\b\\$\\^\\{\\}\\|\\(\\)\\?\\*é"},
  {"op":"quoteMeta","s":"","want":""},
];

function run(c: GoCase): unknown {
  if (c.op === 'quoteMeta') return quoteMeta(c.s!);
  const compiled = compileGoRegexp(c.p!);
  if (!compiled.ok) return { error: compiled.reason };
  const re = compiled.regexp;
  switch (c.op) {
    case 'compile':
      return true;
    case 'match':
      return re.matchString(c.s!);
    case 'find':
      return re.findString(c.s!);
    case 'findAll':
      return re.findAllString(c.s!, c.n!);
    case 'findAllSubmatch':
      return re.findAllStringSubmatch(c.s!, c.n!);
    case 'replace':
      return re.replaceAllString(c.s!, c.t!);
    case 'replaceLiteral':
      return re.replaceAllLiteralString(c.s!, c.t!);
    case 'split':
      return re.split(c.s!, c.n!);
  }
}

describe('Go regexp semantics (core/go-regexp) equal Go\'s regexp package', () => {
  for (const c of GO_CASES) {
    const args = [c.p, c.s, c.t, c.n].filter((a) => a !== undefined).map((a) => JSON.stringify(a)).join(' ');
    it(`${c.op} ${args}`, () => {
      assert.deepEqual(run(c), c.error === undefined ? c.want : { error: c.error });
    });
  }
});

describe('compileGoRegexp', () => {
  it('gives Go\'s error code without quoting the pattern', () => {
    const r = compileGoRegexp('(secret-value');
    assert.deepEqual(r, { ok: false, reason: 'missing closing )' });
  });

  it('accepts nesting up to Go\'s limit and refuses deeper nesting with Go\'s code', () => {
    // Go 1.26 regexp/syntax: maxHeight 1000.
    assert.equal(compileGoRegexp(`${'('.repeat(999)}${')'.repeat(999)}`).ok, true);
    assert.deepEqual(compileGoRegexp(`${'('.repeat(1001)}${')'.repeat(1001)}`), { ok: false, reason: 'expression nests too deeply' });
  });

  it('accepts a long pattern Go accepts', () => {
    // Go compiles `[a-z]{1000}` repeated 20 times (20k instructions, far below its size limit).
    assert.equal(compileGoRegexp('[a-z]{1000}'.repeat(20)).ok, true);
  });

  it('refuses a pattern compiling to millions of instructions (deliberate: Go\'s limit is about 2.4 times higher)', () => {
    // Go 1.26 compiles `[a-z]{1000}` x 3000 (3M instructions, 2.4 s); re2js stops at 1,398,101.
    assert.deepEqual(compileGoRegexp('[a-z]{1000}'.repeat(3000)), { ok: false, reason: 'expression too large' });
  });

  it('keeps a bounded cache: a recently used pattern stays, the least recently used one goes', () => {
    const first = compileGoRegexp('cache-first-[0-9]+');
    const kept = compileGoRegexp('cache-kept-[0-9]+');
    for (let i = 0; i < 600; i++) {
      compileGoRegexp(`cache-filler-${i}`);
      // Using `kept` makes it the most recently used each time.
      assert.equal(compileGoRegexp('cache-kept-[0-9]+'), kept);
    }
    assert.notEqual(compileGoRegexp('cache-first-[0-9]+'), first);
  });
});

describe('matching takes linear time', () => {
  // Catastrophic for a backtracking engine; RE2 answers in time linear in the input.
  const guardMs = 2000;

  it('^(a+)+$ over 30 a\'s and a "!" answers without backtracking', () => {
    const re = compileGoRegexp('^(a+)+$');
    assert.ok(re.ok);
    const input = `${'a'.repeat(30)}!`;
    const started = performance.now();
    assert.equal(re.regexp.matchString(input), false);
    assert.equal(re.regexp.replaceAllString(input, 'X'), input);
    assert.ok(performance.now() - started < guardMs);
  });

  it('^(a+)+$ over 100k characters answers too', () => {
    const re = compileGoRegexp('^(a+)+$');
    assert.ok(re.ok);
    const input = `${'a'.repeat(100_000)}!`;
    const started = performance.now();
    assert.equal(re.regexp.matchString(input), false);
    // Compared with === so a failure does not print 100k characters.
    assert.ok(re.regexp.replaceAllString(input, 'X') === input);
    // Go: the greedy first iteration takes every `a`, so $1 is the whole input.
    assert.ok(re.regexp.replaceAllString('a'.repeat(100_000), '[$1]') === `[${'a'.repeat(100_000)}]`);
    assert.ok(performance.now() - started < guardMs);
  });
});

// Go 1.26 regexp/syntax (parse.go unicodeTable, canonicalName): a class name is matched in
// canonical form (separators dropped, first letter upper-case, the rest lower-case) against
// unicode.Categories, unicode.Scripts and unicode.CategoryAliases, with Any, Assigned, Ascii and
// LC on their own. Expected results computed by Go 1.26.8's regexp.Compile and ReplaceAllString
// (a throwaway program outside the repository).
describe('Unicode class names as Go 1.26 finds them', () => {
  const replace = (p: string, s: string) => {
    const c = compileGoRegexp(p);
    return c.ok ? c.regexp.replaceAllString(s, '<$0>') : `ERR ${c.reason}`;
  };
  it('accepts the aliases and spellings Go accepts', () => {
    for (const p of ['\\pl', '\\p{letter}', '\\p{Letter}', '\\p{L_}', '\\p{ L }', '\\p{-l-}']) assert.equal(replace(p, 'a1'), '<a>1', p);
    assert.equal(replace('\\p{greek}', 'aΣ'), 'a<Σ>');
    assert.equal(replace('\\p{digit}', 'a1'), 'a<1>');
    assert.equal(replace('\\p{Cased_Letter}', 'a1'), '<a>1');
    assert.equal(replace('\\p{lc}', 'a1'), '<a>1');
    assert.equal(replace('\\p{ascii}', 'aé'), '<a>é');
    assert.equal(replace('\\P{ASCII}', 'aé'), 'a<é>');
    assert.equal(replace('[^\\p{ASCII}]', 'aé'), 'a<é>');
    assert.equal(replace('[\\P{ascii}x]', 'axé'), 'a<x><é>');
    assert.equal(replace('\\p{Assigned}', 'a\u0378'), '<a>\u0378');
    assert.equal(replace('\\P{Assigned}', 'a\u0378'), 'a<\u0378>');
    assert.equal(replace('\\p{^Greek}', 'aΣ'), '<a>Σ');
    assert.equal(replace('\\P{^Greek}', 'aΣ'), 'a<Σ>');
    assert.equal(replace('\\Q\\pZZ\\E', 'x\\pZZ'), 'x<\\pZZ>');
  });
  it('refuses what Go refuses: two-word scripts in canonical form, scripts newer than Unicode 15, unknown names', () => {
    for (const p of ['\\p{Old_Italic}', '\\p{OldItalic}', '\\p{SignWriting}', '\\p{Garay}', '\\p{Foo}', '\\p{}', '\\pé', '[a\\p{Old_Turkic}]']) {
      assert.equal(replace(p, 'a'), 'ERR invalid character class range', p);
    }
  });
});
