// The generators that need no I/O (Password, UUID, Fake), ClusterGenerator's unwrapping, and the
// rules a generator spec must meet. Pure: randomness comes in as a RandomSource (the operator passes
// node:crypto's, tests a scripted one). Used by the operator (sync/generate.ts), `projector
// validate` and `projector check` (one rule, one place).
//
// The rules of every kind Projector runs are judged here (specIssues), so validate, check, dev and
// the operator refuse the same specs; the kinds that do I/O run in providers/ and sync/.
//
// Behaviour from ESO v2.9: generators/v1/{password,uuid,fake}/*.go,
// runtime/esutils/resolvers/generator.go (clusterGeneratorToVirtual) and
// github.com/sethvargo/go-password v0.3.1 password/generate.go (the password algorithm ESO calls).
import {
  CLUSTER_GENERATOR_KINDS,
  CLUSTER_GENERATOR_SPEC_FIELD,
  GENERATOR_API_VERSION,
  GENERATOR_GROUP,
  IMPLEMENTED_GENERATOR_KINDS,
  GENERATOR_KINDS,
} from '../api/kinds.ts';
import type { ACRAccessTokenSpec, ClusterGeneratorSpec, FakeSpec, GithubAccessTokenSpec, MFASpec, PasswordSpec, SSHKeySpec, WebhookSpec } from '../api/generators.ts';
import { ProjectorError } from './errors.ts';
import { issue, type Issue, issueText } from './issues.ts';
import { Sensitive } from './sensitive.ts';
import { mfaIssues } from './mfa.ts';
import { sshKeyIssues } from './sshkey.ts';
import { webhookIssues, type TemplateSyntaxCheck } from './webhook-rules.ts';
import { githubIssues } from './github-rules.ts';

export type GeneratedData = Map<string, Sensitive<Uint8Array>>;

/**
 * Uniform randomness. `int(n)` returns an integer in [0, n) (n ≥ 1), each value equally likely;
 * `bytes(n)` n random bytes. The operator's source is node:crypto (randomInt / randomBytes: a CSPRNG,
 * as go-password and google/uuid read crypto/rand); anything weaker would make passwords guessable.
 */
export interface RandomSource {
  int(n: number): number;
  bytes(n: number): Uint8Array;
}

/** The generator kinds Projector runs directly (ClusterGenerator resolves to one of these). */
export const RUNNABLE_KINDS = ['Password', 'UUID', 'Fake', 'ACRAccessToken', 'SSHKey', 'MFA', 'Webhook', 'GithubAccessToken'] as const;
export type RunnableKind = (typeof RUNNABLE_KINDS)[number];
const isRunnable = (kind: string): kind is RunnableKind => (RUNNABLE_KINDS as readonly string[]).includes(kind);
/** The first issue that is not a warning (warnings never stop a generator). */
const firstError = (issues: Issue[]): Issue | undefined => issues.find((i) => i.severity !== 'warning');

// --- Password ---------------------------------------------------------------------------------

/** go-password's alphabets (password/generate.go LowerLetters, UpperLetters, Digits, Symbols). */
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** ESO's defaultSymbolChars (generators/v1/password/password.go), the same as go-password's Symbols. */
export const DEFAULT_SYMBOL_CHARACTERS = '~!@#$%^&*()_+`-={}|[]\\:"<>?,./';

/** The settings ESO derives from a PasswordSpec (extractPasswordConfig). */
export interface PasswordConfig {
  length: number;
  digits: number;
  symbols: number;
  symbolCharacters: string;
  noUpper: boolean;
  allowRepeat: boolean;
  encoding: string;
  secretKeys: string[];
}

/**
 * ESO's extractPasswordConfig + validateSecretKeys: length ≤ 0 means 24; digits and symbols default
 * to int(float32(length) × 0.25) each (truncated); symbolCharacters absent means the default set (and
 * go-password's NewGenerator also replaces an empty set with its default); encoding absent means raw;
 * secretKeys absent or empty means ["password"].
 */
export function passwordConfigOf(spec: Partial<PasswordSpec> | undefined): PasswordConfig {
  const s = spec ?? {};
  const length = typeof s.length === 'number' && s.length > 0 ? Math.trunc(s.length) : 24;
  const quarter = Math.trunc(Math.fround(length) * Math.fround(0.25));
  return {
    length,
    digits: typeof s.digits === 'number' ? Math.trunc(s.digits) : quarter,
    symbols: typeof s.symbols === 'number' ? Math.trunc(s.symbols) : quarter,
    symbolCharacters: s.symbolCharacters || DEFAULT_SYMBOL_CHARACTERS,
    noUpper: s.noUpper === true,
    allowRepeat: s.allowRepeat === true,
    encoding: s.encoding ?? 'raw',
    secretKeys: s.secretKeys && s.secretKeys.length > 0 ? [...s.secretKeys] : ['password'],
  };
}

/**
 * go-password works on bytes: `string(s[i])` turns one byte into the character of that code point
 * (Latin-1), so a multi-byte symbol set yields those characters; modelled here: each alphabet is the
 * list of its bytes read as code points. (Go's randomInsert then inserts at a byte offset, which can
 * split such a character into invalid UTF-8; Projector inserts at character positions. ASCII symbol
 * sets, ESO's default included, behave identically.)
 */
function byteChars(s: string): string[] {
  return [...Buffer.from(s, 'utf8')].map((b) => String.fromCharCode(b));
}

/** How many distinct characters an alphabet has (a no-repeat draw can use each once). */
function distinct(chars: readonly string[]): number {
  return new Set(chars).size;
}

/**
 * The rules a Password spec must meet before anything is generated, as issues at `path` (the spec's
 * field path). ESO's run-time errors: duplicate or empty secretKeys (validateSecretKeys), and
 * go-password's Generate errors (digits + symbols > length; without allowRepeat more letters, digits
 * or symbols than the alphabet has). One addition: without allowRepeat, go-password draws until it
 * finds a character not yet used, which never ends when the symbol set has fewer distinct characters
 * than asked for (its check counts bytes, not distinct ones) or shares them with the letters and
 * digits already drawn: refused here instead of hanging a worker.
 */
export function passwordIssues(spec: Partial<PasswordSpec> | undefined, path: string): Issue[] {
  const out: Issue[] = [];
  const c = passwordConfigOf(spec);
  const seen = new Set<string>();
  for (const k of c.secretKeys) {
    if (k === '' || seen.has(k)) {
      out.push(issue(`${path}.secretKeys`, 'InvalidSpec', 'secretKeys must be non-empty and unique'));
      break;
    }
    seen.add(k);
  }
  // Each issue names the field to change, so validate points at its line, not at the spec's.
  for (const f of ['digits', 'symbols'] as const) if (c[f] < 0) out.push(issue(`${path}.${f}`, 'InvalidSpec', `${f} must not be negative`));
  const letters = c.noUpper ? LOWER : LOWER + UPPER;
  const chars = c.length - c.digits - c.symbols;
  // The sum is judged against length: the length when it is written, else the larger of digits and
  // symbols written (length absent means 24, and each of them absent a quarter of it, which fit).
  const digitsWritten = spec?.digits !== undefined && (spec?.symbols === undefined || c.digits >= c.symbols);
  const sumField = spec?.length !== undefined ? 'length' : digitsWritten ? 'digits' : 'symbols';
  if (chars < 0) out.push(issue(`${path}.${sumField}`, 'InvalidSpec', `digits (${c.digits}) and symbols (${c.symbols}) must be less than total length (${c.length})`));
  if (!c.allowRepeat && out.length === 0) {
    const symbols = byteChars(c.symbolCharacters);
    // More letters than the alphabet has: only a written length can ask for that (24 ≤ 26).
    if (chars > letters.length) out.push(issue(`${path}.length`, 'InvalidSpec', `number of letters (${chars}) exceeds available letters (${letters.length}) and repeats are not allowed`));
    if (c.digits > DIGITS.length) out.push(issue(`${path}.digits`, 'InvalidSpec', `number of digits (${c.digits}) exceeds available digits (10) and repeats are not allowed`));
    if (c.symbols > symbols.length) out.push(issue(`${path}.symbols`, 'InvalidSpec', `number of symbols (${c.symbols}) exceeds available symbols (${symbols.length}) and repeats are not allowed`));
    else {
      // Symbols are drawn last, each avoiding every character already in the password.
      const free = distinct(symbols.filter((ch) => !letters.includes(ch) && !DIGITS.includes(ch)));
      if (c.symbols > free) {
        out.push(issue(`${path}.symbolCharacters`, 'InvalidSpec', `without allowRepeat, ${c.symbols} symbols need that many distinct symbol characters that are not letters or digits (${free} available)`));
      }
    }
  }
  return out;
}

/** Inserts `ch` into `s` at a random position in [0, len(s)] (go-password randomInsert). */
function randomInsert(random: RandomSource, s: string, ch: string): string {
  if (s === '') return ch;
  const i = random.int(s.length + 1);
  return s.slice(0, i) + ch + s.slice(i);
}

/**
 * One password by go-password's Generate: `chars` letters, then the digits, then the symbols, each
 * drawn uniformly from its alphabet (redrawn while it already occurs in the password unless
 * allowRepeat) and inserted at a uniformly random position. Assumes passwordIssues found nothing.
 * The result is a string of code points < 256 (see byteChars); its bytes are its UTF-8 encoding.
 */
export function generatePasswordString(c: PasswordConfig, random: RandomSource): string {
  const letters = byteChars(c.noUpper ? LOWER : LOWER + UPPER);
  const groups: [string[], number][] = [
    [letters, c.length - c.digits - c.symbols],
    [byteChars(DIGITS), c.digits],
    [byteChars(c.symbolCharacters), c.symbols],
  ];
  let result = '';
  for (const [alphabet, count] of groups) {
    for (let i = 0; i < count; i++) {
      const ch = alphabet[random.int(alphabet.length)]!;
      if (!c.allowRepeat && result.includes(ch)) {
        i--;
        continue;
      }
      result = randomInsert(random, result, ch);
    }
  }
  return result;
}

/**
 * ESO's encodePassword: raw (the bytes as they are), base64 / base64url (padded, Go's
 * base64.StdEncoding / URLEncoding), base32 (RFC 4648 with padding, Go's base32.StdEncoding), hex.
 * An unknown encoding returns the bytes as they are, as ESO's default branch does.
 */
export function encodePassword(raw: Uint8Array, encoding: string): Uint8Array {
  const b = Buffer.from(raw);
  switch (encoding) {
    case 'base64':
      return Buffer.from(b.toString('base64'), 'latin1');
    case 'base64url':
      // Go's URLEncoding keeps the padding; Node's base64url drops it.
      return Buffer.from(b.toString('base64').replaceAll('+', '-').replaceAll('/', '_'), 'latin1');
    case 'base32':
      return Buffer.from(base32Std(b), 'latin1');
    case 'hex':
      return Buffer.from(b.toString('hex'), 'latin1');
    default:
      return new Uint8Array(b);
  }
}

/** RFC 4648 base32 with `=` padding (Go's encoding/base32 StdEncoding). */
function base32Std(b: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * ESO's Password generator: one password per secretKey (default key `password`), encoded as
 * spec.encoding says. Throws InvalidSpec (naming `path`) when passwordIssues finds a problem.
 */
export function generatePassword(spec: Partial<PasswordSpec> | undefined, random: RandomSource, path = 'spec'): GeneratedData {
  const first = firstError(passwordIssues(spec, path));
  if (first) throw new ProjectorError('InvalidSpec', issueText(first), { field: first.path });
  const c = passwordConfigOf(spec);
  const out: GeneratedData = new Map();
  for (const key of c.secretKeys) {
    const pass = Buffer.from(generatePasswordString(c, random), 'utf8');
    out.set(key, new Sensitive(encodePassword(pass, c.encoding)));
  }
  return out;
}

// --- UUID ---------------------------------------------------------------------------------------

/**
 * A random (version 4) UUID in its canonical lower-case form, as google/uuid's New().String():
 * 16 random bytes, version nibble 4, RFC 4122 variant bits 10.
 */
export function uuidV4(random: RandomSource): string {
  const b = Buffer.from(random.bytes(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** ESO's UUID generator: one key, `uuid`. */
export function generateUuid(random: RandomSource): GeneratedData {
  return new Map([['uuid', new Sensitive(new Uint8Array(Buffer.from(uuidV4(random), 'utf8')))]]);
}

// --- Fake ---------------------------------------------------------------------------------------

/** ESO's Fake generator: spec.data returned as it is (no data: nothing). */
export function generateFake(spec: Partial<FakeSpec> | undefined): GeneratedData {
  const out: GeneratedData = new Map();
  for (const [k, v] of Object.entries(spec?.data ?? {})) out.set(k, new Sensitive(new Uint8Array(Buffer.from(v, 'utf8'))));
  return out;
}

// --- generatorRef and ClusterGenerator ----------------------------------------------------------

/**
 * The problems of a generatorRef itself, as issues at `path` (…sourceRef.generatorRef). ESO's
 * resolver: the apiVersion must parse and name the generators group (getGenerator); Projector serves
 * v1alpha1 only, as ESO registers its generators there. Kinds of ESO's enum that Projector does not
 * run are NotSupported.
 */
export function generatorRefIssues(ref: { apiVersion?: string; kind?: string; name?: string } | undefined, path: string): Issue[] {
  if (!ref) return [];
  const out: Issue[] = [];
  const apiVersion = ref.apiVersion ?? GENERATOR_API_VERSION;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group !== GENERATOR_GROUP) out.push(issue(`${path}.apiVersion`, 'InvalidGeneratorRef', `generatorRef may only reference the ${GENERATOR_GROUP} group`));
  else if (apiVersion !== GENERATOR_API_VERSION) out.push(issue(`${path}.apiVersion`, 'InvalidGeneratorRef', `generators are served as ${GENERATOR_API_VERSION} only`));
  const kind = ref.kind ?? '';
  if (!(IMPLEMENTED_GENERATOR_KINDS as readonly string[]).includes(kind)) {
    if ((GENERATOR_KINDS as readonly string[]).includes(kind)) out.push(issue(`${path}.kind`, 'NotSupported', `generator kind ${kind} is not supported by Projector (it runs ${IMPLEMENTED_GENERATOR_KINDS.join(', ')})`));
    else out.push(issue(`${path}.kind`, 'InvalidGeneratorRef', `unknown generator kind "${kind}"`));
  }
  return out;
}

/** What a generatorRef resolves to: the kind to run and its spec (from the object or a ClusterGenerator). */
export interface ResolvedGenerator {
  kind: RunnableKind;
  spec: unknown;
  /** Field path of the spec, for messages: `Password ns/name spec`, `ClusterGenerator name spec.generator.passwordSpec`. */
  where: string;
}

/**
 * ESO's clusterGeneratorToVirtual: the spec member matching spec.kind must be set. A kind Projector
 * does not run is NotSupported; a missing member is InvalidSpec (ESO's text: "when kind is K, KSpec
 * must be set").
 */
export function clusterGeneratorIssues(spec: Partial<ClusterGeneratorSpec> | undefined, path = 'spec', templateProblem?: TemplateSyntaxCheck): Issue[] {
  const kind = spec?.kind as (typeof CLUSTER_GENERATOR_KINDS)[number] | undefined;
  if (!kind || !CLUSTER_GENERATOR_KINDS.includes(kind)) return [issue(`${path}.kind`, 'InvalidSpec', `ClusterGenerator has unknown kind "${kind ?? ''}"`)];
  const field = CLUSTER_GENERATOR_SPEC_FIELD[kind];
  const member = (spec?.generator as Record<string, unknown> | undefined)?.[field];
  if (member === undefined || member === null) return [issue(`${path}.generator.${field}`, 'InvalidSpec', `when kind is ${kind}, ${field} must be set`)];
  if (!isRunnable(kind)) return [issue(`${path}.kind`, 'NotSupported', `generator kind ${kind} is not supported by Projector (it runs ${RUNNABLE_KINDS.join(', ')})`)];
  return specIssues(kind, member, `${path}.generator.${field}`, templateProblem);
}

/**
 * The rules of a runnable generator's spec (the schema checks types; these are ESO's run-time rules).
 * `templateProblem` (core/webhook.ts webhookTemplateProblem) adds the one rule that needs the
 * template engine, that a Webhook's templates parse: the CLI passes it; the operator, which loads
 * the engine only on first use, checks it when the Webhook runs (providers/generators/webhook.ts).
 */
export function specIssues(kind: RunnableKind, spec: unknown, path: string, templateProblem?: TemplateSyntaxCheck): Issue[] {
  switch (kind) {
    case 'Password':
      return passwordIssues(spec as Partial<PasswordSpec> | undefined, path);
    case 'ACRAccessToken':
      return acrIssues(spec as Partial<ACRAccessTokenSpec> | undefined, path);
    case 'SSHKey':
      return sshKeyIssues(spec as Partial<SSHKeySpec> | undefined, path);
    case 'MFA':
      return mfaIssues(spec as Partial<MFASpec> | undefined, path);
    case 'Webhook':
      return webhookIssues(spec as Partial<WebhookSpec> | undefined, path, templateProblem);
    case 'GithubAccessToken':
      return githubIssues(spec as Partial<GithubAccessTokenSpec> | undefined, path);
    default:
      return [];
  }
}

/**
 * ACRAccessToken's run-time rules (generators/v1/acr/acr.go generate): one of servicePrincipal,
 * managedIdentity or workloadIdentity (ESO checks them in that order and takes the first set;
 * none set is its "unexpeted configuration"); a registry; service principal auth reads tenantId,
 * clientId and clientSecret; AzureStackCloud has no audience in ESO (audienceForType returns "").
 */
export function acrIssues(spec: Partial<ACRAccessTokenSpec> | undefined, path: string): Issue[] {
  const out: Issue[] = [];
  const auth = spec?.auth ?? {};
  if (!auth.servicePrincipal && !auth.managedIdentity && !auth.workloadIdentity) {
    out.push(issue(`${path}.auth`, 'InvalidSpec', 'auth needs one of servicePrincipal, managedIdentity or workloadIdentity'));
  }
  if (!spec?.registry) out.push(issue(`${path}.registry`, 'InvalidSpec', 'registry is required (the registry host, e.g. example.azurecr.io)'));
  else if (/[/?#@\s]/.test(spec.registry)) out.push(issue(`${path}.registry`, 'InvalidSpec', 'registry must be a host name (optionally with a port), without scheme or path'));
  if (auth.servicePrincipal) {
    if (!spec?.tenantId) out.push(issue(`${path}.tenantId`, 'InvalidSpec', 'tenantId is required for servicePrincipal auth'));
    const ref = auth.servicePrincipal.secretRef ?? {};
    if (!ref.clientId?.name || !ref.clientId.key) out.push(issue(`${path}.auth.servicePrincipal.secretRef.clientId`, 'InvalidSpec', 'clientId needs name and key'));
    if (!ref.clientSecret?.name || !ref.clientSecret.key) out.push(issue(`${path}.auth.servicePrincipal.secretRef.clientSecret`, 'InvalidSpec', 'clientSecret needs name and key'));
  }
  if (spec?.environmentType === 'AzureStackCloud') out.push(issue(`${path}.environmentType`, 'NotSupported', 'AzureStackCloud has no token audience for ACR (ESO returns none either)'));
  return out;
}

/**
 * The spec whose `controller` names a generator's controller class: its own, or a ClusterGenerator's
 * member for its kind (ESO's shouldSkipGenerator reads the generator clusterGeneratorToVirtual made).
 * Read before any rule of the spec is checked, as ESO reads it: a generator of another class is
 * skipped whatever else its spec holds. Undefined for a ClusterGenerator of an unknown kind (ESO
 * cannot resolve it and so judges no class).
 */
export function controllerClassSpecOf(kind: string, spec: unknown): unknown {
  if (kind !== 'ClusterGenerator') return spec;
  const cg = spec as Partial<ClusterGeneratorSpec> | undefined;
  const k = cg?.kind as (typeof CLUSTER_GENERATOR_KINDS)[number] | undefined;
  if (!k || !CLUSTER_GENERATOR_KINDS.includes(k)) return undefined;
  return (cg?.generator as Record<string, unknown> | undefined)?.[CLUSTER_GENERATOR_SPEC_FIELD[k]];
}

/**
 * A generator object (its kind and spec) → what to run, as ESO's resolver does. Throws InvalidSpec or
 * NotSupported (a ClusterGenerator of a kind Projector does not run) naming `name`.
 * `templateProblem`: as specIssues'.
 */
export function resolveGenerator(kind: string, name: string, spec: unknown, templateProblem?: TemplateSyntaxCheck): ResolvedGenerator {
  if (kind === 'ClusterGenerator') {
    const first = firstError(clusterGeneratorIssues(spec as Partial<ClusterGeneratorSpec> | undefined, 'spec', templateProblem));
    if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', `ClusterGenerator ${name} ${issueText(first)}`, { field: first.path });
    const cg = spec as ClusterGeneratorSpec;
    const field = CLUSTER_GENERATOR_SPEC_FIELD[cg.kind];
    return { kind: cg.kind as RunnableKind, spec: (cg.generator as Record<string, unknown>)[field], where: `ClusterGenerator ${name} spec.generator.${field}` };
  }
  if (!isRunnable(kind)) throw new ProjectorError('NotSupported', `generator kind ${kind} is not supported by Projector`);
  const first = firstError(specIssues(kind, spec, 'spec', templateProblem));
  if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', `${kind} ${name} ${issueText(first)}`, { field: first.path });
  return { kind: kind as RunnableKind, spec, where: `${kind} ${name} spec` };
}
