// ESO's object hash, byte for byte: `esutils.ObjectHash` (runtime/esutils/utils.go) is the hex
// SHA3-224 of Go's `fmt.Sprintf("%+v", object)`. The three places ESO uses it are reproduced here
// for the exact Go types involved, so a Secret written by ESO and one written by Projector carry the
// same `data-hash`, the same `created-by` label and the same `syncedResourceVersion`: a migration in
// either direction rewrites nothing, and tools that compare hashes agree.
import { createHash, type Hash } from 'node:crypto';
import { formatFloatG } from './go-float.ts';

const ALGORITHM = 'sha3-224';

/** Go's `%+v` of a byte inside a []byte is its decimal text: up to 3 ASCII digits per byte value. */
const DIGITS = new Uint8Array(256 * 3);
const DIGIT_COUNT = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const text = String(b);
  DIGIT_COUNT[b] = text.length;
  for (let j = 0; j < text.length; j++) DIGITS[b * 3 + j] = text.charCodeAt(j);
}

/**
 * The formatting buffer, shared (hashing is synchronous, so calls never overlap): a typical Secret's
 * whole text fits, so it reaches the digest in one update and no buffer is allocated per hash.
 */
const SCRATCH = Buffer.alloc(64 * 1024);

const SPACE = 0x20;
const COLON = 0x3a;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/**
 * Formats Go `%+v` text into a fixed buffer and feeds the digest whenever it fills, so the text of
 * large values is never held whole. `finish()` zeroes the buffer: it held secret values as decimals.
 */
class GoTextDigest {
  private readonly h: Hash = createHash(ALGORITHM);
  private readonly buf = SCRATCH;
  private p = 0;
  /** How far the buffer was written: the part finish() must zero. */
  private used = 0;

  private flush(): void {
    if (this.p > 0) this.h.update(this.buf.subarray(0, this.p));
    this.used = Math.max(this.used, this.p);
    this.p = 0;
  }

  byte(c: number): void {
    if (this.p === this.buf.length) this.flush();
    this.buf[this.p++] = c;
  }

  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i));
  }

  /** Raw bytes (UTF-8 of a Go string, printed as-is by %v). */
  raw(b: Uint8Array): void {
    if (b.length > this.buf.length - this.p) {
      this.flush();
      if (b.length > this.buf.length) return void this.h.update(b);
    }
    this.buf.set(b, this.p);
    this.p += b.length;
  }

  /** `[b0 b1 … bn]`: Go's `%+v` of a []byte (decimal bytes, single spaces; empty or nil is `[]`). */
  goBytes(v: Uint8Array): void {
    this.byte(OPEN);
    const buf = this.buf;
    const room = buf.length - 4; // a byte takes at most 4 characters: a space and 3 digits
    let p = this.p;
    for (let i = 0; i < v.length; i++) {
      if (p > room) {
        this.p = p;
        this.flush();
        p = 0;
      }
      if (i > 0) buf[p++] = SPACE;
      const b = v[i]!;
      const n = DIGIT_COUNT[b]!;
      const at = b * 3;
      buf[p++] = DIGITS[at]!;
      if (n > 1) buf[p++] = DIGITS[at + 1]!;
      if (n > 2) buf[p++] = DIGITS[at + 2]!;
    }
    this.p = p;
    this.byte(CLOSE);
  }

  /**
   * `map[k1:v1 k2:v2]`: Go's `%+v` of a `map[string]V`. fmt prints map keys sorted (internal/fmtsort
   * compares strings with `<`, i.e. bytewise over UTF-8; JS `<` compares UTF-16 code units, which
   * orders characters above U+FFFF differently) and prints keys as-is.
   */
  goMap<V>(entries: Iterable<readonly [string, V]>, value: (v: V) => void): void {
    const sorted = Array.from(entries, ([k, v]) => [Buffer.from(k, 'utf8'), v] as const).sort(([a], [b]) => Buffer.compare(a, b));
    this.ascii('map[');
    for (let i = 0; i < sorted.length; i++) {
      const [k, v] = sorted[i]!;
      if (i > 0) this.byte(SPACE);
      this.raw(k);
      this.byte(COLON);
      value(v);
    }
    this.byte(CLOSE);
  }

  finish(): string {
    this.flush();
    this.buf.fill(0, 0, this.used);
    return this.h.digest('hex');
  }
}

/**
 * The value of `reconcile.external-secrets.io/data-hash`: ESO's `esutils.ObjectHash(secret.Data)`
 * (runtime/esutils/utils.go; written in pkg/controllers/externalsecret/externalsecret_controller.go),
 * i.e. hex SHA3-224 (56 hex digits) of Go's `%+v` of a `map[string][]byte`, e.g. `map[a:[1 2 3] b:[]]`.
 * Takes a Map (or any iterable of [key, bytes]) or a plain object. An empty map hashes `map[]`. Streams into the digest: values are never joined into one
 * string, and the decimal text of a value is zeroed once hashed.
 */
export function dataHash(data: Iterable<readonly [string, Uint8Array]> | Record<string, Uint8Array>): string {
  const list: (readonly [string, Uint8Array])[] = Symbol.iterator in data ? [...(data as Iterable<readonly [string, Uint8Array]>)] : Object.entries(data);
  const d = new GoTextDigest();
  d.goMap(list, (v) => d.goBytes(v));
  return d.finish();
}

/** 2^63: JSON integers below it decode to int64 in Go's unstructured objects, larger ones to float64. */
const INT64_LIMIT = 2 ** 63;

/**
 * ESO's `esutils.ObjectHash` of a JSON value as Go's unstructured objects hold it (the generic-target
 * `data-hash`: pkg/controllers/externalsecret/externalsecret_controller.go genericTargetContentHash):
 * hex SHA3-224 of Go's `%+v`. Objects print `map[k:v …]` (keys sorted bytewise), arrays `[a b]`,
 * strings as they are, null `<nil>`, booleans `true`/`false`; a number is an int64 (decimal) where
 * apimachinery's JSON decoding makes one (an integer below 2^63 in magnitude) and a float64 otherwise
 * (strconv's shortest %g: `1.5`, `1e+21`). Integers above 2^53 have already lost precision in a JS
 * number, so they may print differently from Go's int64 (docs/generic-targets.md).
 */
export function goValueHash(value: unknown): string {
  const d = new GoTextDigest();
  const write = (v: unknown): void => {
    if (v === null || v === undefined) return d.ascii('<nil>');
    if (typeof v === 'string') return d.raw(Buffer.from(v, 'utf8'));
    if (typeof v === 'boolean') return d.ascii(v ? 'true' : 'false');
    if (typeof v === 'number') return d.ascii(Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? BigInt(v).toString() : formatFloatG(v));
    if (Array.isArray(v)) {
      d.byte(OPEN);
      v.forEach((item, i) => {
        if (i > 0) d.byte(SPACE);
        write(item);
      });
      return d.byte(CLOSE);
    }
    if (typeof v === 'object') return d.goMap(Object.entries(v as Record<string, unknown>), write);
    d.ascii(String(v));
  };
  write(value);
  return d.finish();
}

/**
 * The hash in ESO's `syncedResourceVersion` (`<generation>-<hash>`): `HashMeta` in
 * pkg/controllers/util/util.go hashes an unexported struct `{annotations, labels map[string]string}`,
 * whose `%+v` is `{annotations:map[k:v …] labels:map[k:v …]}` (absent maps print `map[]`; keys and
 * values printed as-is, keys sorted bytewise). Returns 56 hex digits.
 */
export function metaHash(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined): string {
  const d = new GoTextDigest();
  const str = (v: string) => d.raw(Buffer.from(v, 'utf8'));
  d.ascii('{annotations:');
  d.goMap(Object.entries(annotations ?? {}), str);
  d.ascii(' labels:');
  d.goMap(Object.entries(labels ?? {}), str);
  d.ascii('}');
  return d.finish();
}

/**
 * The value of ESO's owner label `reconcile.external-secrets.io/created-by` on a target Secret:
 * `esutils.ObjectHash(fmt.Sprintf("%v/%v", namespace, name))` (pkg/controllers/externalsecret/
 * externalsecret_controller.go); a Go string's `%+v` is the string itself, so this is the hex
 * SHA3-224 of `<namespace>/<name>` (56 hex digits, a valid label value).
 */
export function createdByLabelValue(namespace: string, name: string): string {
  return createHash(ALGORITHM).update(`${namespace}/${name}`, 'utf8').digest('hex');
}
