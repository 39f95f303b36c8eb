// Pure generators (core/generators.ts) with a scripted random source. Expected behaviour from ESO
// v2.9 generators/v1/password/password.go (defaults, secretKeys, encodings), go-password v0.3.1
// password/generate.go (draw order: letters, digits, symbols; each drawn then inserted at a random
// position; redrawn when already present unless allowRepeat; its errors), google/uuid (version 4
// and variant bits), generators/v1/fake/fake.go and runtime/esutils/resolvers/generator.go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SYMBOL_CHARACTERS,
  clusterGeneratorIssues,
  encodePassword,
  generateFake,
  generatePassword,
  generatePasswordString,
  generateUuid,
  generatorRefIssues,
  passwordConfigOf,
  passwordIssues,
  resolveGenerator,
  type RandomSource,
} from '../../../src/core/generators.ts';
import { ProjectorError } from '../../../src/core/errors.ts';

/** Returns the scripted values in order (each checked against its bound) and records the bounds asked for. */
function scripted(values: number[], bytes: number[] = []): RandomSource & { bounds: number[] } {
  const bounds: number[] = [];
  let i = 0;
  return {
    bounds,
    int(n) {
      bounds.push(n);
      const v = values[i++];
      assert.ok(v !== undefined && v < n, `scripted value ${i} (${v}) within [0, ${n})`);
      return v;
    },
    bytes: (n) => new Uint8Array(bytes.slice(0, n)),
  };
}

/** A deterministic but well-spread source for property checks (not for production: see platform/random.ts). */
function lcg(seed = 7): RandomSource {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648);
  return { int: (n) => next() % n, bytes: (n) => new Uint8Array(Array.from({ length: n }, () => next() % 256)) };
}

const text = (v: { reveal(): Uint8Array } | undefined) => Buffer.from(v!.reveal()).toString('utf8');

describe('Password generator', () => {
  it("uses ESO's defaults: length 24, 25% digits and symbols (int(float32(24)*0.25) = 6), key password, raw", () => {
    assert.deepEqual(passwordConfigOf({}), { length: 24, digits: 6, symbols: 6, symbolCharacters: DEFAULT_SYMBOL_CHARACTERS, noUpper: false, allowRepeat: false, encoding: 'raw', secretKeys: ['password'] });
    // Go: int(float32(25) * 0.25) = 6, int(float32(7) * 0.25) = 1 (computed with Go 1.26).
    assert.equal(passwordConfigOf({ length: 25 }).digits, 6);
    assert.equal(passwordConfigOf({ length: 7 }).symbols, 1);
    // length ≤ 0 is the default; an empty symbol set is go-password's default set.
    assert.equal(passwordConfigOf({ length: 0 }).length, 24);
    assert.equal(passwordConfigOf({ symbolCharacters: '' }).symbolCharacters, DEFAULT_SYMBOL_CHARACTERS);
    assert.equal(DEFAULT_SYMBOL_CHARACTERS, '~!@#$%^&*()_+`-={}|[]\\:"<>?,./');
  });

  it("draws in go-password's order: each letter, then digits, then symbols, inserted at a random position", () => {
    const random = scripted([2, 3, 0, 7, 1, 0, 3]);
    const pw = generatePasswordString(passwordConfigOf({ length: 4, digits: 1, symbols: 1, noUpper: true, allowRepeat: true, symbolCharacters: '!' }), random);
    // letter c (first: no insert), letter d at 0 → "dc", digit 7 at 1 → "d7c", symbol ! at 3 → "d7c!".
    assert.equal(pw, 'd7c!');
    assert.deepEqual(random.bounds, [26, 26, 2, 10, 3, 1, 4]);
  });

  it('without allowRepeat redraws a character already in the password', () => {
    const random = scripted([0, 0, 1, 0]);
    // a; a again → redrawn; b inserted at 0.
    assert.equal(generatePasswordString(passwordConfigOf({ length: 2, digits: 0, symbols: 0, noUpper: true, allowRepeat: false }), random), 'ba');
  });

  it('meets the counts, alphabets and no-repeat rule over many draws', () => {
    const random = lcg();
    for (let n = 0; n < 200; n++) {
      const pw = text(generatePassword({ length: 30, digits: 4, symbols: 3, noUpper: true, allowRepeat: false }, random).get('password'));
      assert.equal(pw.length, 30);
      assert.equal(pw.replace(/[^0-9]/g, '').length, 4);
      assert.equal(pw.replace(/[a-z0-9]/g, '').length, 3);
      assert.ok(!/[A-Z]/.test(pw));
      assert.equal(new Set(pw).size, 30);
    }
  });

  it('one password per secretKey', () => {
    const out = generatePassword({ secretKeys: ['a', 'b'], allowRepeat: true }, lcg());
    assert.deepEqual([...out.keys()], ['a', 'b']);
    assert.notEqual(text(out.get('a')), text(out.get('b')));
  });

  it("refuses what ESO's generator refuses, naming fields and never a value", () => {
    const codes = (spec: object) => passwordIssues(spec, 'spec').map((i) => `${i.path}: ${i.message}`);
    assert.deepEqual(codes({ secretKeys: ['a', 'a'] }), ['spec.secretKeys: secretKeys must be non-empty and unique']);
    assert.deepEqual(codes({ secretKeys: [''] }), ['spec.secretKeys: secretKeys must be non-empty and unique']);
    assert.deepEqual(codes({ length: 8, digits: 5, symbols: 5 }), ['spec.length: digits (5) and symbols (5) must be less than total length (8)']);
    assert.deepEqual(codes({ length: 60, digits: 0, symbols: 0 }), ['spec.length: number of letters (60) exceeds available letters (52) and repeats are not allowed']);
    assert.deepEqual(codes({ length: 60, digits: 0, symbols: 0, allowRepeat: true }), []);
    assert.deepEqual(codes({ length: 20, digits: 11, symbols: 0 }), ['spec.digits: number of digits (11) exceeds available digits (10) and repeats are not allowed']);
    assert.deepEqual(codes({ length: 10, digits: 0, symbols: 3, symbolCharacters: '!?' }), ['spec.symbols: number of symbols (3) exceeds available symbols (2) and repeats are not allowed']);
    // go-password would loop forever here (a symbol set of letters); refused instead.
    assert.equal(passwordIssues({ length: 10, digits: 0, symbols: 2, symbolCharacters: 'ab' }, 'spec')[0]?.path, 'spec.symbolCharacters');
    assert.throws(() => generatePassword({ length: 8, digits: 5, symbols: 5 }, lcg()), (e: unknown) => e instanceof ProjectorError && e.code === 'InvalidSpec');
  });

  it("encodes as ESO's encodePassword (values from Go's encoding/base32, base64 and hex)", () => {
    const b = Buffer.from('d7c!');
    assert.equal(Buffer.from(encodePassword(b, 'base32')).toString(), 'MQ3WGII=');
    assert.equal(Buffer.from(encodePassword(b, 'hex')).toString(), '64376321');
    assert.equal(Buffer.from(encodePassword(new Uint8Array([0xfb, 0xff, 0xfe]), 'base64')).toString(), '+//+');
    assert.equal(Buffer.from(encodePassword(new Uint8Array([0xfb, 0xff, 0xfe]), 'base64url')).toString(), '-__-');
    assert.equal(Buffer.from(encodePassword(b, 'raw')).toString(), 'd7c!');
  });
});

describe('UUID and Fake generators', () => {
  it('UUID: key uuid, version 4 and RFC 4122 variant set on the random bytes (google/uuid NewRandom)', () => {
    const out = generateUuid(scripted([], [...Array(16).keys()]));
    assert.deepEqual([...out.keys()], ['uuid']);
    assert.equal(text(out.get('uuid')), '00010203-0405-4607-8809-0a0b0c0d0e0f');
  });
  it('Fake: spec.data verbatim; no data, nothing', () => {
    const out = generateFake({ data: { a: '1', 'b.c': 'two' } });
    assert.deepEqual(Object.fromEntries([...out].map(([k, v]) => [k, text(v)])), { a: '1', 'b.c': 'two' });
    assert.equal(generateFake({}).size, 0);
  });
  it('values print as [REDACTED]', () => {
    assert.equal(String(generateUuid(lcg()).get('uuid')), '[REDACTED]');
  });
});

describe('generatorRef and ClusterGenerator', () => {
  it("checks the ref as ESO's resolver does, and marks kinds Projector does not run NotSupported", () => {
    assert.deepEqual(generatorRefIssues({ kind: 'Password', name: 'p' }, 'r'), []);
    assert.deepEqual(generatorRefIssues({ apiVersion: 'external-secrets.io/v1', kind: 'Password', name: 'p' }, 'r').map((i) => i.code), ['InvalidGeneratorRef']);
    assert.deepEqual(generatorRefIssues({ apiVersion: 'generators.external-secrets.io/v1', kind: 'UUID', name: 'p' }, 'r').map((i) => i.path), ['r.apiVersion']);
    assert.deepEqual(generatorRefIssues({ kind: 'VaultDynamicSecret', name: 'v' }, 'r').map((i) => i.code), ['NotSupported']);
    assert.deepEqual(generatorRefIssues({ kind: 'Nope', name: 'v' }, 'r').map((i) => i.code), ['InvalidGeneratorRef']);
  });
  it('ClusterGenerator resolves to the member matching its kind (clusterGeneratorToVirtual)', () => {
    const r = resolveGenerator('ClusterGenerator', 'cg', { kind: 'Fake', generator: { fakeSpec: { data: { a: 'b' } } } });
    assert.equal(r.kind, 'Fake');
    assert.deepEqual(r.spec, { data: { a: 'b' } });
    assert.deepEqual(clusterGeneratorIssues({ kind: 'Password', generator: { uuidSpec: {} } } as never).map((i) => i.message), ['when kind is Password, passwordSpec must be set']);
    assert.deepEqual(clusterGeneratorIssues({ kind: 'Grafana', generator: { grafanaSpec: {} } } as never).map((i) => i.code), ['NotSupported']);
    assert.throws(() => resolveGenerator('ClusterGenerator', 'cg', { kind: 'Password', generator: { passwordSpec: { length: 3, digits: 2, symbols: 2 } } }), /ClusterGenerator cg spec\.generator\.passwordSpec\.length: digits \(2\) and symbols \(2\)/);
  });
  it('ACRAccessToken spec rules: one auth method, a registry host, service principal inputs', () => {
    const issues = resolveGeneratorIssues({ auth: {}, registry: 'https://x.azurecr.io/' });
    assert.deepEqual(issues, ['spec.auth', 'spec.registry']);
    assert.deepEqual(resolveGeneratorIssues({ auth: { servicePrincipal: { secretRef: {} } }, registry: 'x.azurecr.io' }), ['spec.tenantId', 'spec.auth.servicePrincipal.secretRef.clientId', 'spec.auth.servicePrincipal.secretRef.clientSecret']);
    assert.deepEqual(resolveGeneratorIssues({ auth: { managedIdentity: {} }, registry: 'x.azurecr.io:5000' }), []);
  });
});

function resolveGeneratorIssues(spec: object): string[] {
  try {
    resolveGenerator('ACRAccessToken', 'a', spec);
    return [];
  } catch {
    // resolveGenerator throws the first; list them all through the cluster form's checks.
  }
  return clusterGeneratorIssues({ kind: 'ACRAccessToken', generator: { acrAccessTokenSpec: spec } } as never).map((i) => i.path.replace('spec.generator.acrAccessTokenSpec', 'spec'));
}
