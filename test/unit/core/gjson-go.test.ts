// ESO's azurekv `property` is gjson.Get(value, property).String() (providers/v1/azure/keyvault/
// keyvault.go getProperty; github.com/tidwall/gjson v1.18.0 as ESO pins it). This test asks the Go
// library itself (test/template-go, protocol.go's gjson request) for a corpus of documents and
// paths, hand-written and seeded-random, and requires src/core/gjson.ts to agree on
// every one: the same string, and found or not found alike. Documents include what gjson reads
// without validating (raw control characters in strings, trailing commas, text after the value),
// numbers in every spelling, escapes and surrogates; paths include wildcards, indexes, `#`, `#.x`
// and pipes. Needs Go, as the template differential test does (test/support/template-go.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResponse, renderWithGo } from '../../support/template-go.ts';
import { gjsonExists, gjsonGet, gjsonString, unsupportedGjsonSyntax } from '../../../src/core/gjson.ts';

const DOCS = [
  '{"user":"admin","port":5432,"ratio":1.50,"big":12345678901234567890,"ok":true,"no":false,"none":null,"nested":{"a": {"b":"deep"}},"list":["x",{"y":"z"},3],"dotted.key":"lit","esc":"a\\"b\\u00e9","star*key":"s","q?":"q"}',
  '{"user":"admin","key":"-----BEGIN KEY-----\nabc\n-----END KEY-----"}',
  '{"pw":"a\tb","pw2":"x\\ty\nz","pw3":"q\\"\nr"}',
  '{"a":"x","b":"y",}',
  '{"user":"admin", // comment\n "b":1}',
  '{"user":"admin"}\n{"x":1}',
  '{"a":1',
  '{"a":1} trailing',
  'garbage {"a":"in"} more',
  '"a string {"a":"inside"}"',
  '{"n1":1.0,"n2":1e3,"n3":1E+2,"n4":-0.0,"n5":1.23456789012345678,"n6":-12,"n7":007,"n8":1e400,"n9":-1e-400,"n10":0.1,"n11":123456789012345678901234567890.5,"n12":5e-7,"n13":1e21,"n14":-,"n15":1.5.5,"n16":+3}',
  '{"i1":Infinity,"i2":-Infinity,"i3":NaN,"i4":nan,"i5":inf,"i6":nul,"i7":nullx,"i8":truex,"i9":n}',
  '{"u1":"\\ud83d\\ude00","u2":"\\ud83d","u3":"\\ude00x","u4":"\\u00","u5":"\\uZZZZ","u6":"é€😀","u7":"a\\qb","u8":"a\\","u9":"\\/\\b\\f\\n\\r\\t"}',
  '{"k\\"q":"quoted key","k\\u0041":"escaped key","e\\\\":"backslash key"}',
  '{"arr":[[1,2],[3,[4,5]],{"a":[{"b":1},{"b":2},{"c":3}]}],"objs":[{"n":"1"},{"n":"2"},{"m":"3"}],"empty":[],"nums":[1, 2 ,3]}',
  '[{"name":"a"},{"name":"b"}]',
  '[]',
  '{"a":{"b":{"c":"d"}},"a.b":"literal","a|b":"piped key"}',
  '{"dup":"first","dup":"second"}',
  '{"s":"a}b","t":"[x","u":{"v":"}"},"w":"after"}',
  '{"x":}',
  '{"esc\\.dot":"v"}',
  '   {"ws"  :  "  spaced  " , "n" : 1 }   ',
  '{"a":[1,{"b":[2,{"c":"deep"}]}]}',
  '{"arr":[{"a":[1,2]},{"a":[3]}],"a\\\\":"backslash end","b\\\\c":"inner"}',
  '["zero","one","two"]',
  '{"h1":1_000,"h2":0x1p4,"h3":+nan,"h4":1__0,"h5":_1,"h6":0x1.8p1,"h7":0x_1p0,"h8":1_e3,"h9":-inf,"h10":0x1p,"h11":0X.8P1,"h12":1_0.5_0,"h13":infin}',
];

const PATHS = [
  'user', 'port', 'ratio', 'big', 'ok', 'no', 'none', 'nested', 'nested.a', 'nested.a.b', 'list', 'list.0', 'list.1.y', 'list.2', 'list.3', 'list.#',
  'dotted.key', 'dotted\\.key', 'esc', 'star*key', 'star\\*key', 'st*', 's*r', 'q?', 'q\\?', '?ser', 'u*r', '*', 'nope', 'user.more',
  'key', 'pw', 'pw2', 'pw3', 'a', 'b', 'x',
  'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11', 'n12', 'n13', 'n14', 'n15', 'n16',
  'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9',
  'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9', 'k"q', 'kA', 'k\\u0041', 'e\\\\', 'e\\',
  'arr', 'arr.0', 'arr.0.1', 'arr.1.1.0', 'arr.2.a.#', 'arr.2.a.#.b', 'arr.2.a.#.c', 'arr.#', 'objs.#.n', 'objs.#.m', 'objs.#', 'empty.#', 'empty.#.x', 'nums.#', 'nums.1',
  '0', '0.name', '#', '#.name', '1', '5', '#.name|0',
  'a.b', 'a.b.c', 'a|b', 'a\\|b', 'a.b|c', 'a|b.c', 'a.*.c', 'a.?.c',
  'dup', 's', 't', 'u', 'u.v', 'w', 'esc.dot', 'esc\\.dot', 'ws', ' ws', 'n', '', '.', 'a.', '.a', 'nested.a.b.', 'list.01', 'list.-1', 'list.1.#',
  'arr.#.a.#|0', 'arr.#.a|0', 'arr.#.a.#', 'arr.#.a.0|x', '*\\', '*\\\\', 'a\\', 'a\\\\', '?\\', '*c\\', 'b*\\', '*\\\\c',
  '18446744073709551616', '18446744073709551617', '9223372036854775808', '9223372036854775807', '36893488147419103233', '1',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9', 'h10', 'h11', 'h12', 'h13',
];

/** A small seeded generator (mulberry32): the same corpus on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261201;
const KEYS = ['a', 'b', 'ab', 'a.b', 'x y', 'k*', 'é', 'n'];
const SCALARS = ['"v"', '"w\\nx"', '"raw\nline"', '"q\\"uote"', '1', '1.50', '-2e3', '0.000001', '1e-7', 'true', 'false', 'null', '"\\u00e9"', '"}"', '"["', '12345678901234567890123'];

function randomValue(r: () => number, depth: number): string {
  const roll = r();
  if (depth > 2 || roll < 0.5) return SCALARS[Math.floor(r() * SCALARS.length)]!;
  const n = Math.floor(r() * 4);
  const sep = r() < 0.2 ? ' , ' : ',';
  const trailing = r() < 0.1 ? ',' : '';
  if (roll < 0.75) {
    const members = Array.from({ length: n }, () => `${JSON.stringify(KEYS[Math.floor(r() * KEYS.length)])}:${randomValue(r, depth + 1)}`);
    return `{${members.join(sep)}${trailing}}`;
  }
  return `[${Array.from({ length: n }, () => randomValue(r, depth + 1)).join(sep)}${trailing}]`;
}

function randomPath(r: () => number): string {
  const n = 1 + Math.floor(r() * 3);
  const parts = Array.from({ length: n }, () => {
    const roll = r();
    if (roll < 0.45) return KEYS[Math.floor(r() * KEYS.length)]!.replaceAll('.', '\\.').replaceAll('*', '\\*');
    if (roll < 0.65) return String(Math.floor(r() * 4));
    if (roll < 0.75) return '#';
    if (roll < 0.85) return ['*', 'a*', '?', '?b', 'k\\*'][Math.floor(r() * 5)]!;
    return KEYS[Math.floor(r() * KEYS.length)]!;
  });
  return parts.join(r() < 0.1 ? '|' : '.');
}

function corpus(): { json: string; path: string }[] {
  const out: { json: string; path: string }[] = [];
  for (const json of DOCS) for (const path of PATHS) out.push({ json, path });
  const r = rng(SEED);
  for (let i = 0; i < 3_000; i++) out.push({ json: randomValue(r, 0), path: randomPath(r) });
  return out;
}

describe('gjson.Get(json, path).String(), as ESO reads remoteRef.property (differential test against Go)', () => {
  it(`agrees with gjson v1.18.0 on every document and path of the corpus (seed ${SEED})`, async () => {
    const cases = corpus().filter((c) => unsupportedGjsonSyntax(c.path) === undefined);
    assert.ok(cases.length > 5_000, `corpus of ${cases.length}`);
    const lines = await renderWithGo(cases.map((c, i) => ({ name: String(i), template: '', data: {}, gjson: c })));
    const differ: string[] = [];
    cases.forEach((c, i) => {
      const go = parseResponse(lines[i]!);
      const ours = gjsonGet(c.json, c.path);
      const goText = Buffer.from(go.output).toString('utf8');
      if (go.error === gjsonExists(ours) || (!go.error && goText !== gjsonString(ours))) {
        differ.push(`${JSON.stringify(c.json)} ${JSON.stringify(c.path)}: Go ${go.error ? 'not found' : JSON.stringify(goText)}, Projector ${gjsonExists(ours) ? JSON.stringify(gjsonString(ours)) : 'not found'}`);
      }
    });
    assert.deepEqual(differ.slice(0, 30), [], `${differ.length} of ${cases.length} cases differ`);
  });

  it('refuses the gjson syntax it does not serve, where gjson gives it meaning, and only there', () => {
    // After `|` and after `#.`, gjson.Get starts a path again: literals and JSON lines count there too.
    for (const path of ['@this', '@reverse', 'a.@keys', 'a|@values', '!true', '!{"a":1}', '[a,b]', '{a,b}', 'a.[b]', 'a.{b}', '..0', 'list.#(y=="z")', '#(n=="1").n', 'objs.#[n=="1"]', 'a|#(b)',
      'a|!true', 'x|!"lit"', 'a|..0', 'a.#.!true', '#.!null', 'a.#...0', 'a|b|!false']) {
      assert.ok(unsupportedGjsonSyntax(path), path);
    }
    for (const path of ['user', '@user', 'a@b', '!important', 'a.b', 'a#(', 'e\\@this', '#', '#.n', 'list.#', 'a\\.@this', 'a\\|@this',
      'a.!true', 'a\\|!true', 'a|!important', 'a.#.!x', 'a|.', 'a.#.b|!x']) {
      assert.equal(unsupportedGjsonSyntax(path), undefined, path);
    }
  });
});
