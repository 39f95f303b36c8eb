/**
 * sprig v3.3.0's semver and semverCompare (semver.go) over Masterminds/semver v3.4.0 (the version
 * go.sum of test/template-go pins), ported from version.go and constraints.go:
 * - `semverCompare`: NewConstraint + NewVersion + Constraints.Check;
 * - `semver`: NewVersion, whose *Version result is a GoObject (values.ts) of the type
 *   SEMVER_VERSION, with Version's fields and methods as a template reaches them.
 * NewVersion runs in its default "coerce" mode (CoerceNewVersion = true): the loose grammar, so
 * "v1", "1.2" and "01.2.3" parse. The regular expressions are the library's, run on Go's regexp
 * semantics (core/go-regexp.ts), including its quirks: `[0-9|x|X|\*]` admits `|`.
 */
import { compileGoRegexp, type GoRegexp } from '../go-regexp.ts';
import { fn, type GoTypeParam, type ParamType, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';
import { GoObject, goUint64, type GoMethod, type GoStructType } from './values.ts';

function re(source: string): GoRegexp {
  const r = compileGoRegexp(source);
  if (!r.ok) throw new Error(`semver: bad built-in pattern: ${r.reason}`);
  return r.regexp;
}

/** The first match with its groups ('' for a group that did not take part), as Go's FindStringSubmatch; null when none. */
function submatch(r: GoRegexp, s: string): string[] | null {
  return r.findAllStringSubmatch(s, 1)?.[0] ?? null;
}

const LOOSE = `v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?`;
const CV = `v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?`;
const OPS = `=||!=|>|<|>=|=>|<=|=<|~|~>|\\^`;

let compiled: { loose: GoRegexp; constraint: GoRegexp; range: GoRegexp; find: GoRegexp; valid: GoRegexp } | undefined;
function patterns(): NonNullable<typeof compiled> {
  compiled ??= {
    loose: re(`^${LOOSE}$`),
    constraint: re(`^\\s*(${OPS})\\s*(${CV})\\s*$`),
    range: re(`\\s*(${CV})\\s+-\\s+(${CV})\\s*`),
    find: re(`(${OPS})\\s*(${CV})`),
    valid: re(`^(\\s*(${OPS})\\s*(${CV})\\s*)((?:\\s+|,\\s*)(${OPS})\\s*(${CV})\\s*)*$`),
  };
  return compiled;
}

/** semver's Version: numbers are uint64. */
export interface SemVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
}

const UINT64_MAX = (1n << 64n) - 1n;
const NUM = /^[0-9]*$/;
const ALLOWED = /^[A-Za-z0-9-]*$/;

/** strconv.ParseUint(s, 10, 64) on an all-digit string: only overflow can fail. */
function parseUint(s: string): bigint {
  const v = BigInt(s);
  // Go: "error parsing version segment: strconv.ParseUint: parsing "…": value out of range"; the text is not quoted here.
  if (v > UINT64_MAX) throw new FuncError('error parsing version segment: strconv.ParseUint: value out of range');
  return v;
}

function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (part === '') throw new FuncError('invalid prerelease string');
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new FuncError('version segment starts with 0');
    } else if (!ALLOWED.test(part)) throw new FuncError('invalid prerelease string');
  }
}

function validateMetadata(m: string): void {
  for (const part of m.split('.')) {
    if (part === '' || !ALLOWED.test(part)) throw new FuncError('invalid metadata string');
  }
}

/** semver.NewVersion in coerce mode (coerceNewVersion); throws FuncError with the library's message. */
export function newVersion(v: string): SemVersion {
  const m = submatch(patterns().loose, v);
  if (!m) throw new FuncError('invalid semantic version');
  const major = parseUint(m[1]!);
  const minor = m[2] ? parseUint(m[2].slice(1)) : 0n;
  const patch = m[3] ? parseUint(m[3].slice(1)) : 0n;
  const pre = m[5]!;
  const metadata = m[8]!;
  if (pre !== '') validatePrerelease(pre);
  if (metadata !== '') validateMetadata(metadata);
  return { major, minor, patch, pre, metadata, original: v };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strconv.ParseUint(s, 10, 64) succeeded? */
function uintOrNull(s: string): bigint | null {
  if (!/^[0-9]+$/.test(s)) return null;
  const v = BigInt(s);
  return v > UINT64_MAX ? null : v;
}

/** semver's comparePrePart: numeric parts compare as numbers, and sort before alphanumeric ones. */
function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const oi = uintOrNull(o);
  const si = uintOrNull(s);
  if (oi === null && si === null) return Buffer.compare(Buffer.from(s), Buffer.from(o)) > 0 ? 1 : -1;
  if (oi === null) return -1;
  if (si === null) return 1;
  return si > oi ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split('.');
  const op = o.split('.');
  for (let i = 0; i < Math.max(sp.length, op.length); i++) {
    const d = comparePrePart(sp[i] ?? '', op[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** (*Version).Compare: -1, 0 or 1; metadata is ignored. */
export function compareVersions(v: SemVersion, o: SemVersion): number {
  const d = cmp(v.major, o.major) || cmp(v.minor, o.minor) || cmp(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  return comparePrerelease(v.pre, o.pre);
}

interface Constraint {
  readonly con: SemVersion;
  readonly op: string;
  readonly minorDirty: boolean;
  readonly patchDirty: boolean;
  readonly dirty: boolean;
}

const isX = (x: string) => x === 'x' || x === '*' || x === 'X';

function parseConstraint(c: string): Constraint {
  if (c.length === 0) {
    return { con: { major: 0n, minor: 0n, patch: 0n, pre: '', metadata: '', original: '0.0.0' }, op: '', minorDirty: false, patchDirty: false, dirty: true };
  }
  const m = submatch(patterns().constraint, c);
  // Go quotes the constraint; it may come from data, so Projector does not.
  if (!m) throw new FuncError('improper constraint');
  let ver = m[2]!;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(m[3]!) || m[3] === '') {
    ver = `0.0.0${m[6]!}`;
    dirty = true;
  } else if (isX(m[4]!.replace(/^\./, '')) || m[4] === '') {
    minorDirty = true;
    dirty = true;
    ver = `${m[3]!}.0.0${m[6]!}`;
  } else if (isX(m[5]!.replace(/^\./, '')) || m[5] === '') {
    dirty = true;
    patchDirty = true;
    ver = `${m[3]!}${m[4]!}.0${m[6]!}`;
  }
  let con: SemVersion;
  try {
    con = newVersion(ver);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError('constraint parser error');
    throw e;
  }
  return { con, op: m[1]!, minorDirty, patchDirty, dirty };
}

/** rewriteRange: "a - b" becomes ">= a, <= b " (each match replaced once, first occurrence, as strings.Replace(…, 1)). */
function rewriteRange(i: string): string {
  const all = patterns().range.findAllStringSubmatch(i, -1);
  if (!all) return i;
  let o = i;
  for (const v of all) o = o.replace(v[0]!, () => `>= ${v[1]!}, <= ${v[11]!} `);
  return o;
}

interface Constraints {
  readonly ors: Constraint[][];
  readonly containsPre: boolean[];
}

/** semver.NewConstraint. */
export function newConstraint(c: string): Constraints {
  const ors = rewriteRange(c).split('||');
  const p = patterns();
  const out: Constraint[][] = [];
  const containsPre: boolean[] = [];
  for (const v of ors) {
    if (!p.valid.matchString(v)) throw new FuncError('improper constraint');
    const cs = p.find.findAllString(v, -1) ?? [v];
    const group = cs.map(parseConstraint);
    containsPre.push(group.some((g) => g.con.pre !== ''));
    out.push(group);
  }
  return { ors: out, containsPre };
}

const lessThan = (v: SemVersion, o: SemVersion) => compareVersions(v, o) < 0;
const equal = (v: SemVersion, o: SemVersion) => compareVersions(v, o) === 0;

function tilde(v: SemVersion, c: Constraint): boolean {
  if (lessThan(v, c.con)) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

/** The constraint functions of constraints.go (constraintOps), answers only. */
function check(v: SemVersion, c: Constraint, includePre: boolean): boolean {
  if (v.pre !== '' && !includePre) return false;
  const con = c.con;
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : equal(v, con);
    case '!=':
      if (c.dirty) {
        if (con.major !== v.major) return true;
        if (con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== '' || con.pre !== '') return comparePrerelease(v.pre, con.pre) !== 0;
          return false;
        }
      }
      return !equal(v, con);
    case '>':
      if (!c.dirty) return compareVersions(v, con) === 1;
      if (v.major > con.major) return true;
      if (v.major < con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compareVersions(v, con) === 1;
    case '<':
      return compareVersions(v, con) < 0;
    case '>=':
    case '=>':
      return compareVersions(v, con) >= 0;
    case '<=':
    case '=<':
      if (!c.dirty) return compareVersions(v, con) <= 0;
      if (v.major > con.major) return false;
      if (v.major === con.major && v.minor > con.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      if (lessThan(v, con)) return false;
      if (con.major > 0n || c.minorDirty) return v.major === con.major;
      if (con.major === 0n && v.major > 0n) return false;
      if (con.minor > 0n || c.patchDirty) return v.minor === con.minor;
      if (con.minor === 0n && v.minor > 0n) return false;
      return con.patch === v.patch;
    default:
      throw new Error(`semver: unknown constraint operator ${c.op}`);
  }
}

/** Constraints.Check: some `||` group whose every constraint holds. */
export function checkConstraints(cs: Constraints, v: SemVersion): boolean {
  return cs.ors.some((group, i) => group.every((c) => check(v, c, cs.containsPre[i]!)));
}

// ---------------------------------------------------------------------------------------------
// semver.Version as a template value
// ---------------------------------------------------------------------------------------------

/** (Version).String: major.minor.patch, then -pre and +metadata when set (no `v`). */
function versionString(v: SemVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre === '' ? '' : `-${v.pre}`}${v.metadata === '' ? '' : `+${v.metadata}`}`;
}

/** The Inc and Set methods' new Original: the old one's `v` prefix (lower case only) and String. */
function withOriginal(old: SemVersion, next: Omit<SemVersion, 'original'>): SemVersion {
  const prefix = old.original.startsWith('v') ? 'v' : '';
  return { ...next, original: prefix + versionString(next as SemVersion) };
}

/** The Version methods return a Version (a struct value, not a pointer). */
function versionValue(v: SemVersion): GoObject<SemVersion> {
  return new GoObject(SEMVER_VERSION, v, false);
}

const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

/** An `o *Version` argument: a GoObject pointer, or nil, which Compare dereferences (Go's panic). */
function other(o: unknown): SemVersion {
  if (!(o instanceof GoObject)) throw new FuncError(NIL_DEREFERENCE);
  return o.value as SemVersion;
}

/** A Version method: `pointerReceiver` for those declared on *Version. */
function method(pointerReceiver: boolean, params: readonly ParamType[], body: (v: SemVersion, args: unknown[]) => unknown): GoMethod<SemVersion> {
  return { pointerReceiver, bind: (v) => fn(params, (args) => body(v, args)) };
}

/**
 * A method Projector does not run: MarshalJSON and MarshalText return []byte, and UnmarshalJSON,
 * UnmarshalText and Scan change the version in place and return an error value (printed `<nil>`);
 * the engine represents neither. They fail with kind `unsupported` (docs/templates.md).
 */
function notSupported(pointerReceiver: boolean, name: string, params: readonly ParamType[]): GoMethod<SemVersion> {
  return method(pointerReceiver, params, () => {
    throw new FuncError(`${pointerReceiver ? '(*semver.Version)' : 'semver.Version'}.${name} is not supported by Projector`, true);
  });
}

const VERSION_POINTER: GoTypeParam = { goType: '*semver.Version' };
const ZERO_VERSION: SemVersion = { major: 0n, minor: 0n, patch: 0n, pre: '', metadata: '', original: '' };

/**
 * Masterminds/semver v3.4.0's `Version` (version.go): six unexported fields, and the methods of
 * Version and *Version. Uint64 results wrap as Go's do (IncMajor of 18446744073709551615.0.0 is
 * 0.0.0). Errors are the library's messages.
 */
export const SEMVER_VERSION: GoStructType<SemVersion> = {
  name: 'semver.Version',
  fields: (v) => [
    ['major', goUint64(v.major)],
    ['minor', goUint64(v.minor)],
    ['patch', goUint64(v.patch)],
    ['pre', v.pre],
    ['metadata', v.metadata],
    ['original', v.original],
  ],
  methods: new Map<string, GoMethod<SemVersion>>([
    ['String', method(false, [], (v) => versionString(v))],
    ['Original', method(true, [], (v) => v.original)],
    ['Major', method(false, [], (v) => goUint64(v.major))],
    ['Minor', method(false, [], (v) => goUint64(v.minor))],
    ['Patch', method(false, [], (v) => goUint64(v.patch))],
    ['Prerelease', method(false, [], (v) => v.pre)],
    ['Metadata', method(false, [], (v) => v.metadata)],
    // IncPatch of a prerelease (or build) drops them and keeps the patch number.
    ['IncPatch', method(false, [], (v) => versionValue(withOriginal(v, { ...v, pre: '', metadata: '', patch: v.pre === '' ? BigInt.asUintN(64, v.patch + 1n) : v.patch })))],
    ['IncMinor', method(false, [], (v) => versionValue(withOriginal(v, { ...v, pre: '', metadata: '', patch: 0n, minor: BigInt.asUintN(64, v.minor + 1n) })))],
    ['IncMajor', method(false, [], (v) => versionValue(withOriginal(v, { ...v, pre: '', metadata: '', patch: 0n, minor: 0n, major: BigInt.asUintN(64, v.major + 1n) })))],
    ['SetPrerelease', method(false, ['string'], (v, [p]) => {
      if ((p as string) !== '') validatePrerelease(p as string);
      return versionValue(withOriginal(v, { ...v, pre: p as string }));
    })],
    ['SetMetadata', method(false, ['string'], (v, [m]) => {
      if ((m as string) !== '') validateMetadata(m as string);
      return versionValue(withOriginal(v, { ...v, metadata: m as string }));
    })],
    ['LessThan', method(true, [VERSION_POINTER], (v, [o]) => compareVersions(v, other(o)) < 0)],
    ['LessThanEqual', method(true, [VERSION_POINTER], (v, [o]) => compareVersions(v, other(o)) <= 0)],
    ['GreaterThan', method(true, [VERSION_POINTER], (v, [o]) => compareVersions(v, other(o)) > 0)],
    ['GreaterThanEqual', method(true, [VERSION_POINTER], (v, [o]) => compareVersions(v, other(o)) >= 0)],
    // Equal checks for nil before comparing, so `.Equal nil` is false rather than a panic.
    ['Equal', method(true, [VERSION_POINTER], (v, [o]) => o instanceof GoObject && compareVersions(v, o.value as SemVersion) === 0)],
    ['Compare', method(true, [VERSION_POINTER], (v, [o]) => BigInt(compareVersions(v, other(o))))],
    // database/sql/driver.Valuer: the String, as an interface value.
    ['Value', method(false, [], (v) => versionString(v))],
    ['MarshalJSON', notSupported(false, 'MarshalJSON', [])],
    ['MarshalText', notSupported(false, 'MarshalText', [])],
    ['UnmarshalJSON', notSupported(true, 'UnmarshalJSON', ['any'])],
    ['UnmarshalText', notSupported(true, 'UnmarshalText', ['any'])],
    ['Scan', notSupported(true, 'Scan', ['any'])],
  ]),
  string: versionString,
  // MarshalJSON is json.Marshal(v.String()); the String holds only [0-9A-Za-z.+-], which
  // JSON.stringify writes as encoding/json does.
  json: (v) => JSON.stringify(versionString(v)),
  // Every field is unexported, so copystructure's copy is the zero Version (String "0.0.0").
  copy: () => ZERO_VERSION,
};

export const SPRIG_SEMVER: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  // sprig's semver: semver.NewVersion, a *Version.
  ['semver', fn(['string'], ([v]) => new GoObject(SEMVER_VERSION, newVersion(v as string), true))],
  ['semverCompare', fn(['string', 'string'], ([c, v]) => checkConstraints(newConstraint(c as string), newVersion(v as string)))],
]);
