/**
 * Go's `time.Time`, `time.Duration` and `time.Location` as far as sprig's date functions reach them:
 * a port of Go 1.26 `time/format.go` (Format's layout engine, Parse/ParseInLocation, ParseDuration),
 * `time/time.go` (Time.String with the monotonic `m=±…` suffix, Duration.String, Duration.Round).
 *
 * Assumptions (docs/templates.md): Go's `time.Local` is UTC, as in the operator's containers and the
 * differential test (TZ=UTC). Named zones (dateInZone) take their offsets from the JavaScript
 * runtime's IANA data (Intl); the zone abbreviation Go prints comes from tzdata, which Intl does not
 * expose for most zones, so ABBREVIATIONS below lists the common ones and every other zone prints
 * tzdata's numeric form ("+09", "+0530").
 */

const NS_PER_SEC = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
/** time.go's unixToInternal: seconds from January 1, year 1 to the Unix epoch. */
const UNIX_TO_INTERNAL = 62135596800n;
/** time.go's minWall and maxWall (1885-01-01 and 33 bits of seconds later) as Unix seconds. */
const MIN_WALL_UNIX = -2682288000n;
const MAX_WALL_UNIX = MIN_WALL_UNIX + (1n << 33n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** A zone in effect at an instant: seconds east of UTC and the abbreviation Go prints for `MST`. */
export interface ZoneInfo {
  readonly offset: number;
  readonly abbrev: string;
}

/**
 * Go's *time.Location, reduced to what Format, String and ParseInLocation use. Object identity is
 * the pointer's: Go's `==` on two time.Time values compares their *Location pointers.
 */
export interface GoLocation {
  readonly name: string;
  zoneAt(unixSec: bigint): ZoneInfo;
  /** Offset of the named abbreviation at an instant, for Parse's `MST` element (Location.lookupName). */
  offsetOfAbbrev(abbrev: string, unixSec: bigint): number | undefined;
  /** The offset of a zone made by time.FixedZone (undefined for UTC, Local and named zones). */
  readonly fixedOffset?: number;
}

function fixedZone(name: string, offset: number): GoLocation {
  return {
    name,
    zoneAt: () => ({ offset, abbrev: name }),
    offsetOfAbbrev: (a) => (a === name ? offset : undefined),
    fixedOffset: offset,
  };
}

/** time.UTC. A time.Time in UTC holds a nil *Location (Time.setLoc), printed `<nil>` among its fields. */
export const UTC: GoLocation = { ...fixedZone('UTC', 0), fixedOffset: undefined };
/** time.Local: UTC (TZ=UTC); its zone abbreviation is tzdata's "UTC". */
export const LOCAL: GoLocation = { ...fixedZone('UTC', 0), name: 'Local', fixedOffset: undefined };

/** Go 1.26's FixedZone keeps one *Location per whole hour from -12 to +14 for unnamed zones. */
const UNNAMED_HOUR_ZONES = new Map<number, GoLocation>();

/**
 * time.FixedZone (zoneinfo.go): a new *Location, except that an unnamed zone at a whole hour from
 * UTC-12 to UTC+14 is always the same one, so two times parsed with "+01:00" are `==` in Go and
 * two parsed with "+01:30" are not.
 */
export function goFixedZone(name: string, offset: number): GoLocation {
  const hour = Math.trunc(offset / 3600);
  if (name !== '' || hour < -12 || hour > 14 || hour * 3600 !== offset) return fixedZone(name, offset);
  let loc = UNNAMED_HOUR_ZONES.get(hour);
  if (loc === undefined) {
    loc = fixedZone('', offset);
    UNNAMED_HOUR_ZONES.set(hour, loc);
  }
  return loc;
}

/**
 * reflect.DeepEqual on two time.Time's *Location: the same pointer, or two non-nil Locations with
 * equal contents, which for the zones a template value can hold (UTC, Local, FixedZone) means two
 * FixedZones of the same name and offset.
 */
export function sameLocationContents(a: GoLocation, b: GoLocation): boolean {
  if (a === b) return true;
  return a.fixedOffset !== undefined && a.fixedOffset === b.fixedOffset && a.name === b.name;
}

/** A Go time.Time: an instant (nanoseconds since the Unix epoch), a location, and for `now` a monotonic reading. */
export class GoTime {
  readonly unixNanos: bigint;
  readonly loc: GoLocation;
  /** Nanoseconds of Go's monotonic clock (since process start), only on values derived from `now`. */
  readonly mono: bigint | undefined;

  constructor(unixNanos: bigint, loc: GoLocation, mono?: bigint) {
    this.unixNanos = unixNanos;
    this.loc = loc;
    this.mono = mono;
  }

  get unixSec(): bigint {
    return floorDiv(this.unixNanos, NS_PER_SEC);
  }

  get nanosecond(): number {
    return Number(this.unixNanos - this.unixSec * NS_PER_SEC);
  }

  /** Time.In: same instant, another location, monotonic reading stripped. */
  in(loc: GoLocation): GoTime {
    return new GoTime(this.unixNanos, loc);
  }

  /**
   * Time.Add: keeps the monotonic reading, moved by the same amount, unless the result leaves the
   * years 1885..2157 that a time.Time with a monotonic reading can hold, or the reading leaves
   * int64 (Go's addSec and Add then strip it, so it no longer prints or compares).
   */
  add(d: bigint): GoTime {
    const unixNanos = this.unixNanos + d;
    let mono = this.mono === undefined ? undefined : this.mono + d;
    const sec = floorDiv(unixNanos, NS_PER_SEC);
    if (mono !== undefined && (sec < MIN_WALL_UNIX || sec > MAX_WALL_UNIX || mono > MAX_INT64 || mono < MIN_INT64)) mono = undefined;
    return new GoTime(unixNanos, this.loc, mono);
  }

  /**
   * time.Time's fields as fmt prints them: `wall` (with a monotonic reading, the flag bit, the
   * seconds since 1885 and the nanoseconds; else the nanoseconds) and `ext` (the monotonic reading,
   * or the seconds since January 1, year 1). The third field is the *Location (nil for UTC).
   */
  internalFields(): { wall: bigint; ext: bigint } {
    const nsec = BigInt(this.nanosecond);
    if (this.mono === undefined) return { wall: nsec, ext: this.unixSec + UNIX_TO_INTERNAL };
    return { wall: (1n << 63n) | ((this.unixSec - MIN_WALL_UNIX) << 30n) | nsec, ext: this.mono };
  }

  /** t.Sub(u) as time.Since uses it: monotonic readings when both have one, else wall clocks; saturates. */
  sub(u: GoTime): bigint {
    const d = this.mono !== undefined && u.mono !== undefined ? this.mono - u.mono : this.unixNanos - u.unixNanos;
    return d > MAX_INT64 ? MAX_INT64 : d < MIN_INT64 ? MIN_INT64 : d;
  }

  format(layout: string): string {
    return formatTime(this, layout);
  }

  /** Time.GoString (fmt's %#v): "time.Date(2024, time.March, 4, 5, 6, 7, 0, time.UTC)". */
  goString(): string {
    const [y, mo, d, h, mi, s] = this.format('2006 1 2 15 4 5').split(' ').map(Number) as [number, number, number, number, number, number];
    const loc = this.loc === UTC ? 'time.UTC' : this.loc === LOCAL ? 'time.Local' : `time.Location(${JSON.stringify(this.loc.name)})`;
    return `time.Date(${y}, time.${LONG_MONTHS[mo - 1]}, ${d}, ${h}, ${mi}, ${s}, ${this.nanosecond}, ${loc})`;
  }

  /** Time.String: "2006-01-02 15:04:05.999999999 -0700 MST" plus " m=±s.nnnnnnnnn" for a monotonic reading. */
  toString(): string {
    let s = this.format('2006-01-02 15:04:05.999999999 -0700 MST');
    if (this.mono !== undefined) {
      const neg = this.mono < 0n;
      const m = neg ? -this.mono : this.mono;
      s += ` m=${neg ? '-' : '+'}${m / NS_PER_SEC}.${String(m % NS_PER_SEC).padStart(9, '0')}`;
    }
    return s;
  }
}

/** time.Time{}: January 1, year 1, 00:00:00 UTC (what sprig's toDate returns when parsing fails). */
export const ZERO_TIME = new GoTime(-62135596800n * NS_PER_SEC, UTC);

/** time.Unix(sec, 0) in Local. */
export function unixTime(sec: bigint): GoTime {
  return new GoTime(sec * NS_PER_SEC, LOCAL);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

// --- calendar -----------------------------------------------------------------------------------

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function daysIn(m: number, y: number): number {
  if (m === 2 && isLeap(y)) return 29;
  return DAYS_BEFORE[m]! - DAYS_BEFORE[m - 1]!;
}

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));

// --- layout chunks (format.go nextStdChunk) ------------------------------------------------------

type Std =
  | 'Jan' | 'January' | '1' | '01' | 'Mon' | 'Monday' | '2' | '_2' | '02' | '__2' | '002'
  | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST'
  | 'Z0700' | 'Z070000' | 'Z07' | 'Z07:00' | 'Z07:00:00'
  | '-0700' | '-070000' | '-07' | '-07:00' | '-07:00:00' | 'frac0' | 'frac9';

interface Chunk {
  prefix: string;
  std: Std | undefined;
  suffix: string;
  /** Digits of a fractional-second element and its separator ('.' or ','). */
  digits: number;
  sep: string;
}

const STD_0X: Std[] = ['01', '02', '03', '04', '05', '06'];

function isDigitAt(s: string, i: number): boolean {
  if (s.length <= i) return false;
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

function startsWithLower(s: string): boolean {
  return s.length > 0 && s[0]! >= 'a' && s[0]! <= 'z';
}

function nextStdChunk(layout: string): Chunk {
  const ret = (i: number, std: Std, j: number, digits = 0, sep = ''): Chunk => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(j), digits, sep });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const at = (s: string): boolean => layout.startsWith(s, i);
    switch (c) {
      case 'J':
        if (at('Jan')) {
          if (at('January')) return ret(i, 'January', i + 7);
          if (!startsWithLower(layout.slice(i + 3))) return ret(i, 'Jan', i + 3);
        }
        break;
      case 'M':
        if (at('Mon')) {
          if (at('Monday')) return ret(i, 'Monday', i + 6);
          if (!startsWithLower(layout.slice(i + 3))) return ret(i, 'Mon', i + 3);
        }
        if (at('MST')) return ret(i, 'MST', i + 3);
        break;
      case '0':
        if (layout.length >= i + 2 && layout[i + 1]! >= '1' && layout[i + 1]! <= '6') return ret(i, STD_0X[layout.charCodeAt(i + 1) - 0x31]!, i + 2);
        if (at('002')) return ret(i, '002', i + 3);
        break;
      case '1':
        if (at('15')) return ret(i, '15', i + 2);
        return ret(i, '1', i + 1);
      case '2':
        if (at('2006')) return ret(i, '2006', i + 4);
        return ret(i, '2', i + 1);
      case '_':
        if (layout[i + 1] === '2') {
          if (layout.startsWith('2006', i + 1)) return { prefix: layout.slice(0, i + 1), std: '2006', suffix: layout.slice(i + 5), digits: 0, sep: '' };
          return ret(i, '_2', i + 2);
        }
        if (at('__2')) return ret(i, '__2', i + 3);
        break;
      case '3':
        return ret(i, '3', i + 1);
      case '4':
        return ret(i, '4', i + 1);
      case '5':
        return ret(i, '5', i + 1);
      case 'P':
        if (layout[i + 1] === 'M') return ret(i, 'PM', i + 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return ret(i, 'pm', i + 2);
        break;
      case '-':
        for (const s of ['-070000', '-07:00:00', '-0700', '-07:00', '-07'] as const) if (at(s)) return ret(i, s, i + s.length);
        break;
      case 'Z':
        for (const s of ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'] as const) if (at(s)) return ret(i, s, i + s.length);
        break;
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1]!;
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          // Only a fractional second when no digit follows the run.
          if (!isDigitAt(layout, j)) return ret(i, ch === '0' ? 'frac0' : 'frac9', j, j - (i + 1), c);
        }
        break;
      default:
        break;
    }
  }
  return { prefix: layout, std: undefined, suffix: '', digits: 0, sep: '' };
}

// --- Format ------------------------------------------------------------------------------------

/** format.go appendInt: sign, then the digits zero-padded to `width`. */
function appendInt(x: number, width: number): string {
  const neg = x < 0;
  const digits = String(Math.abs(x)).padStart(width, '0');
  return neg ? `-${digits}` : digits;
}

function appendNano(nanosec: number, digits: number, sep: string, trim: boolean): string {
  if (trim && (digits === 0 || nanosec === 0)) return '';
  let b = sep + String(nanosec).padStart(9, '0');
  if (digits < 9) b = b.slice(0, 1 + digits);
  if (trim) {
    b = b.replace(/0+$/, '');
    if (b === sep) b = '';
  }
  return b;
}

/** Time.Format(layout), Go's reference-time layouts (format.go appendFormat). */
export function formatTime(t: GoTime, layout: string): string {
  const { offset, abbrev } = t.loc.zoneAt(t.unixSec);
  const local = t.unixSec + BigInt(offset);
  const days = Number(floorDiv(local, 86400n));
  const secOfDay = Number(local - BigInt(days) * 86400n);
  const [year, month, day] = civilFromDays(days);
  const yday = days - daysFromCivil(year, 1, 1) + 1;
  const weekday = (((days + 4) % 7) + 7) % 7;
  const hour = Math.floor(secOfDay / 3600);
  const min = Math.floor((secOfDay % 3600) / 60);
  const sec = secOfDay % 60;
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const { prefix, std, suffix, digits, sep } = nextStdChunk(rest);
    out += prefix;
    if (std === undefined) break;
    rest = suffix;
    switch (std) {
      case '06':
        out += appendInt(Math.abs(year) % 100, 2);
        break;
      case '2006':
        out += appendInt(year, 4);
        break;
      case 'Jan':
        out += SHORT_MONTHS[month - 1];
        break;
      case 'January':
        out += LONG_MONTHS[month - 1];
        break;
      case '1':
        out += appendInt(month, 0);
        break;
      case '01':
        out += appendInt(month, 2);
        break;
      case 'Mon':
        out += SHORT_DAYS[weekday];
        break;
      case 'Monday':
        out += LONG_DAYS[weekday];
        break;
      case '2':
        out += appendInt(day, 0);
        break;
      case '_2':
        out += (day < 10 ? ' ' : '') + appendInt(day, 0);
        break;
      case '02':
        out += appendInt(day, 2);
        break;
      case '__2':
        out += (yday < 100 ? (yday < 10 ? '  ' : ' ') : '') + appendInt(yday, 0);
        break;
      case '002':
        out += appendInt(yday, 3);
        break;
      case '15':
        out += appendInt(hour, 2);
        break;
      case '3':
        out += appendInt(hour % 12 === 0 ? 12 : hour % 12, 0);
        break;
      case '03':
        out += appendInt(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case '4':
        out += appendInt(min, 0);
        break;
      case '04':
        out += appendInt(min, 2);
        break;
      case '5':
        out += appendInt(sec, 0);
        break;
      case '05':
        out += appendInt(sec, 2);
        break;
      case 'PM':
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        if (abbrev !== '') out += abbrev;
        else out += numericZone(offset, false, false, false);
        break;
      case 'frac0':
      case 'frac9':
        out += appendNano(t.nanosecond, digits, sep, std === 'frac9');
        break;
      default: {
        // The numeric zone elements; the Z forms print "Z" for UTC (ISO 8601).
        if (std.startsWith('Z') && offset === 0) {
          out += 'Z';
          break;
        }
        const colon = std.includes(':');
        const short = std === '-07' || std === 'Z07';
        const seconds = std.endsWith('0000') || std.endsWith(':00:00');
        out += numericZone(offset, colon, short, seconds);
        break;
      }
    }
  }
  return out;
}

function numericZone(offset: number, colon: boolean, short: boolean, seconds: boolean): string {
  let zone = Math.trunc(offset / 60);
  let abs = offset;
  let s = '+';
  if (zone < 0) {
    s = '-';
    zone = -zone;
    abs = -abs;
  }
  s += appendInt(Math.floor(zone / 60), 2);
  if (colon) s += ':';
  if (!short) s += appendInt(zone % 60, 2);
  if (seconds) {
    if (colon) s += ':';
    s += appendInt(abs % 60, 2);
  }
  return s;
}

// --- Parse ------------------------------------------------------------------------------------

/**
 * Go's *time.ParseError, without the value: `layout`/`element` are parts of the layout and are quoted
 * only when the caller says the layout is literal template text (values never reach messages).
 */
export class GoTimeParseError extends Error {
  override readonly name = 'GoTimeParseError';
}

class Bad extends Error {}

function cutspace(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  return s.slice(i);
}

function skip(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw new Bad();
      prefix = cutspace(prefix);
      value = cutspace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw new Bad();
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw new Bad();
  if (!isDigitAt(s, 1)) {
    if (fixed) throw new Bad();
    return [s.charCodeAt(0) - 0x30, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 0x30) * 10 + s.charCodeAt(1) - 0x30, s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + s.charCodeAt(i) - 0x30;
  if (i === 0 || (fixed && i !== 3)) throw new Bad();
  return [n, s.slice(i)];
}

/** format.go atoi: optional sign, then decimal digits, all of `s`. */
function atoi(s: string): number {
  const m = /^[+-]?[0-9]+$/.exec(s);
  if (!m) throw new Bad();
  return Number(s);
}

function lookup(tab: readonly string[], val: string): [number, string] {
  for (let i = 0; i < tab.length; i++) {
    const v = tab[i]!;
    if (val.length >= v.length && val.slice(0, v.length).toLowerCase() === v.toLowerCase() && /^[\x00-\x7f]*$/.test(val.slice(0, v.length))) return [i, val.slice(v.length)];
  }
  throw new Bad();
}

function commaOrPeriod(c: string | undefined): boolean {
  return c === '.' || c === ',';
}

/** [nanoseconds, range error]. */
function parseNanoseconds(value: string, nbytes: number): [number, string] {
  if (!commaOrPeriod(value[0])) throw new Bad();
  if (nbytes > 10) nbytes = 10;
  const ns = atoi(value.slice(1, nbytes));
  if (ns < 0) return [0, 'fractional second'];
  return [ns * 10 ** (10 - nbytes), ''];
}

function leadingIntSmall(s: string): [number, string] | undefined {
  let i = 0;
  let x = 0;
  for (; i < s.length && isDigitAt(s, i); i++) {
    x = x * 10 + s.charCodeAt(i) - 0x30;
    if (x > 2 ** 62) return undefined;
  }
  return [x, s.slice(i)];
}

function parseSignedOffset(value: string): number {
  if (value[0] !== '-' && value[0] !== '+') return 0;
  const r = leadingIntSmall(value.slice(1));
  if (!r || r[1] === value.slice(1)) return 0;
  if (r[0] > 12) return 0;
  return value.length - r[1].length;
}

function parseTimeZone(value: string): number | undefined {
  if (value.length < 3) return undefined;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) return value.length === 3 ? 3 : 3 + parseSignedOffset(value.slice(3));
  if (value[0] === '+' || value[0] === '-') {
    const n = parseSignedOffset(value);
    return n > 0 ? n : undefined;
  }
  let nUpper = 0;
  for (; nUpper < 6 && nUpper < value.length; nUpper++) {
    const c = value[nUpper]!;
    if (c < 'A' || c > 'Z') break;
  }
  switch (nUpper) {
    case 5:
      return value[4] === 'T' ? 5 : undefined;
    case 4:
      return value[3] === 'T' || value.startsWith('WITA') ? 4 : undefined;
    case 3:
      return 3;
    default:
      return undefined;
  }
}

/**
 * time.ParseInLocation(layout, value, loc) (format.go parse). Throws GoTimeParseError; its message
 * names the layout element (quoted only if `layoutIsLiteral`), never the value.
 */
export function parseInLocation(layout: string, value: string, loc: GoLocation, layoutIsLiteral: boolean): GoTime {
  const alayout = layout;
  const q = (s: string): string => (layoutIsLiteral ? JSON.stringify(s) : 'the layout element');
  const fail = (elem: string, msg = ''): never => {
    throw new GoTimeParseError(`parsing time as ${layoutIsLiteral ? JSON.stringify(alayout) : 'the given layout'}: ${msg === '' ? `cannot parse the value as ${q(elem)}` : msg}`);
  };
  let rangeErr = '';
  let amSet = false;
  let pmSet = false;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let z: GoLocation | undefined;
  let zoneOffset = -1;
  let zoneName = '';
  for (;;) {
    const { prefix, std, suffix, digits } = nextStdChunk(layout);
    const stdstr = layout.slice(prefix.length, layout.length - suffix.length);
    try {
      value = skip(value, prefix);
    } catch {
      fail(prefix);
    }
    if (std === undefined) {
      if (value.length !== 0) fail('', 'extra text after the parsed value');
      break;
    }
    layout = suffix;
    try {
      switch (std) {
        case '06': {
          if (value.length < 2) throw new Bad();
          year = atoi(value.slice(0, 2));
          value = value.slice(2);
          year += year >= 69 ? 1900 : 2000;
          break;
        }
        case '2006':
          if (value.length < 4 || !isDigitAt(value, 0)) throw new Bad();
          year = atoi(value.slice(0, 4));
          value = value.slice(4);
          break;
        case 'Jan':
          [month, value] = lookup(SHORT_MONTHS, value);
          month++;
          break;
        case 'January':
          [month, value] = lookup(LONG_MONTHS, value);
          month++;
          break;
        case '1':
        case '01':
          [month, value] = getnum(value, std === '01');
          if (month <= 0 || month > 12) rangeErr = 'month';
          break;
        case 'Mon':
          [, value] = lookup(SHORT_DAYS, value);
          break;
        case 'Monday':
          [, value] = lookup(LONG_DAYS, value);
          break;
        case '2':
        case '_2':
        case '02':
          if (std === '_2' && value[0] === ' ') value = value.slice(1);
          [day, value] = getnum(value, std === '02');
          break;
        case '__2':
        case '002':
          for (let i = 0; i < 2; i++) if (std === '__2' && value[0] === ' ') value = value.slice(1);
          [yday, value] = getnum3(value, std === '002');
          break;
        case '15':
          [hour, value] = getnum(value, false);
          if (hour < 0 || hour >= 24) rangeErr = 'hour';
          break;
        case '3':
        case '03':
          [hour, value] = getnum(value, std === '03');
          if (hour < 0 || hour > 12) rangeErr = 'hour';
          break;
        case '4':
        case '04':
          [min, value] = getnum(value, std === '04');
          if (min < 0 || min >= 60) rangeErr = 'minute';
          break;
        case '5':
        case '05': {
          [sec, value] = getnum(value, std === '05');
          if (sec < 0 || sec >= 60) {
            rangeErr = 'second';
            break;
          }
          // A fractional second in the value that the layout does not have.
          if (value.length >= 2 && commaOrPeriod(value[0]) && isDigitAt(value, 1)) {
            const next = nextStdChunk(layout).std;
            if (next === 'frac0' || next === 'frac9') break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            [nsec, rangeErr] = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case 'PM':
        case 'pm': {
          if (value.length < 2) throw new Bad();
          const p = value.slice(0, 2);
          value = value.slice(2);
          const [am, pm] = std === 'PM' ? ['AM', 'PM'] : ['am', 'pm'];
          if (p === pm) pmSet = true;
          else if (p === am) amSet = true;
          else throw new Bad();
          break;
        }
        case 'MST': {
          if (value.startsWith('UTC')) {
            z = UTC;
            value = value.slice(3);
            break;
          }
          const n = parseTimeZone(value);
          if (n === undefined) throw new Bad();
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case 'frac0': {
          const ndigit = 1 + digits;
          if (value.length < ndigit) throw new Bad();
          [nsec, rangeErr] = parseNanoseconds(value, ndigit);
          value = value.slice(ndigit);
          break;
        }
        case 'frac9': {
          if (value.length < 2 || !commaOrPeriod(value[0]) || !isDigitAt(value, 1)) break;
          let i = 0;
          while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
          [nsec, rangeErr] = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
        default: {
          // Numeric zones; the Z forms also accept "Z" for UTC.
          if (std.startsWith('Z') && value[0] === 'Z') {
            value = value.slice(1);
            z = UTC;
            break;
          }
          let sign: string;
          let hh: string;
          let mm: string;
          let ss = '00';
          if (std === 'Z07:00' || std === '-07:00') {
            if (value.length < 6 || value[3] !== ':') throw new Bad();
            [sign, hh, mm, value] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(6)];
          } else if (std === '-07' || std === 'Z07') {
            if (value.length < 3) throw new Bad();
            [sign, hh, mm, value] = [value[0]!, value.slice(1, 3), '00', value.slice(3)];
          } else if (std === 'Z07:00:00' || std === '-07:00:00') {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw new Bad();
            [sign, hh, mm, ss, value] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(7, 9), value.slice(9)];
          } else if (std === 'Z070000' || std === '-070000') {
            if (value.length < 7) throw new Bad();
            [sign, hh, mm, ss, value] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5, 7), value.slice(7)];
          } else {
            if (value.length < 5) throw new Bad();
            [sign, hh, mm, value] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5)];
          }
          const [hr] = getnum(hh, true);
          const [mi] = getnum(mm, true);
          const [se] = getnum(ss, true);
          if (hr > 24) rangeErr = 'time zone offset hour';
          if (mi > 60) rangeErr = 'time zone offset minute';
          if (se > 60) rangeErr = 'time zone offset second';
          zoneOffset = (hr * 60 + mi) * 60 + se;
          if (sign === '-') zoneOffset = -zoneOffset;
          else if (sign !== '+') throw new Bad();
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      if (rangeErr === '') fail(stdstr);
    }
    if (rangeErr !== '') fail(stdstr, `${rangeErr} out of range`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    if (isLeap(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) yday--;
    }
    if (yday < 1 || yday > 365) fail('', 'day-of-year out of range');
    if (m === 0) {
      m = Math.floor((yday - 1) / 31) + 1;
      if (DAYS_BEFORE[m]! < yday) m++;
      d = yday - DAYS_BEFORE[m - 1]!;
    }
    if (month >= 0 && month !== m) fail('', 'day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) fail('', 'day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) fail('', 'day out of range');

  const utcSec = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + min * 60 + sec);
  const at = (s: bigint, l: GoLocation): GoTime => new GoTime(s * NS_PER_SEC + BigInt(nsec), l);
  if (z !== undefined) return at(utcSec, z);
  if (zoneOffset !== -1) {
    const s = utcSec - BigInt(zoneOffset);
    const zone = loc.zoneAt(s);
    if (zone.offset === zoneOffset && (zoneName === '' || zone.abbrev === zoneName)) return at(s, loc);
    return at(s, goFixedZone(zoneName, zoneOffset));
  }
  if (zoneName !== '') {
    const offset = loc.offsetOfAbbrev(zoneName, utcSec);
    if (offset !== undefined) return at(utcSec - BigInt(offset), loc);
    let fixed = 0;
    if (zoneName.length > 3 && zoneName.startsWith('GMT')) fixed = Number(zoneName.slice(3)) * 3600;
    return at(utcSec, goFixedZone(zoneName, fixed));
  }
  // A fixed-offset default location: the wall time is at the zone's offset.
  return at(utcSec - BigInt(loc.zoneAt(utcSec).offset), loc);
}

// --- Duration ----------------------------------------------------------------------------------

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  '\u00b5s': 1000n,
  '\u03bcs': 1000n,
  ms: 1_000_000n,
  s: NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  h: 3600n * NS_PER_SEC,
};

/**
 * time.ParseDuration: nanoseconds, or undefined where Go returns an error ("1.5h", "-90m", "0";
 * a unit is required, overflow is an error). core/duration.ts has the millisecond variant ESO's
 * refreshInterval uses; this one is exact to the nanosecond and accepts negative durations.
 */
export function parseGoDuration(orig: string): bigint | undefined {
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let d = 0n;
  const limit = 1n << 63n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigitAt(s, 0))) return undefined;
    let i = 0;
    let v = 0n;
    for (; i < s.length && isDigitAt(s, i); i++) {
      if (v > limit / 10n) return undefined;
      v = v * 10n + BigInt(s.charCodeAt(i) - 0x30);
      if (v > limit) return undefined;
    }
    const pre = i > 0;
    s = s.slice(i);
    let post = false;
    let f = 0n;
    let scale = 1;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigitAt(s, j); j++) {
        if (overflow) continue;
        if (f > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 0x30);
        if (y > limit) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return undefined;
    let u = 0;
    while (u < s.length && !(s[u] === '.' || isDigitAt(s, u))) u++;
    if (u === 0) return undefined;
    const unit = UNITS[s.slice(0, u)];
    s = s.slice(u);
    if (unit === undefined) return undefined;
    if (v > limit / unit) return undefined;
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64 (nanosecond-exact up to an hour's scale).
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > limit) return undefined;
    }
    d += v;
    if (d > limit) return undefined;
  }
  if (neg) return -d;
  if (d > MAX_INT64) return undefined;
  return d;
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let out = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = String(digit) + out;
    v /= 10n;
  }
  return [print ? `.${out}` : '', v];
}

/** time.Duration.String: "1h1m1s", "1.5s", "2ms", "0s"; `d` in nanoseconds (int64). */
export function durationString(d: bigint): string {
  d = BigInt.asIntN(64, d);
  const neg = d < 0n;
  let u = BigInt.asUintN(64, neg ? -d : d);
  let s: string;
  if (u < NS_PER_SEC) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1000n) [prec, unit] = [0, 'ns'];
    else if (u < 1_000_000n) [prec, unit] = [3, '\u00b5s'];
    else [prec, unit] = [6, 'ms'];
    const [frac, rest] = fmtFrac(u, prec);
    s = `${rest}${frac}${unit}`;
  } else {
    const [frac, secs] = fmtFrac(u, 9);
    u = secs;
    s = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      s = `${u % 60n}m${s}`;
      u /= 60n;
      if (u > 0n) s = `${u}h${s}`;
    }
  }
  return neg ? `-${s}` : s;
}

/** time.Duration.Round(m): to the nearest multiple of m, halfway away from zero, saturating. */
export function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  const lessThanHalf = (x: bigint, y: bigint): boolean => BigInt.asUintN(64, x + x) < BigInt.asUintN(64, y);
  if (d < 0n) {
    r = -r;
    if (lessThanHalf(r, m)) return d + r;
    const d1 = d - m + r;
    return d1 < d && d1 >= MIN_INT64 ? d1 : MIN_INT64;
  }
  if (lessThanHalf(r, m)) return d - r;
  const d1 = d + m - r;
  return d1 > d && d1 <= MAX_INT64 ? d1 : MAX_INT64;
}

// --- named locations (time.LoadLocation) --------------------------------------------------------

/**
 * tzdata abbreviations for zones where Intl's en-US short name is "GMT±h" but tzdata has a name:
 * [zones, abbreviation by offset in seconds].
 */
const ABBREVIATIONS: ReadonlyArray<[readonly string[], Readonly<Record<number, string>>]> = [
  [['Europe/Berlin', 'Europe/Paris', 'Europe/Madrid', 'Europe/Rome', 'Europe/Amsterdam', 'Europe/Brussels', 'Europe/Vienna', 'Europe/Zurich', 'Europe/Stockholm', 'Europe/Oslo', 'Europe/Copenhagen', 'Europe/Warsaw', 'Europe/Prague', 'Europe/Budapest', 'Europe/Belgrade', 'Europe/Luxembourg', 'Europe/Monaco', 'Europe/Malta', 'Europe/Andorra', 'Europe/Tirane', 'Europe/Ljubljana', 'Europe/Zagreb', 'Europe/Sarajevo', 'Europe/Skopje', 'Europe/Podgorica', 'Europe/Bratislava', 'Europe/Gibraltar', 'Europe/San_Marino', 'Europe/Vatican', 'Europe/Vaduz', 'Europe/Busingen', 'Africa/Ceuta', 'Arctic/Longyearbyen', 'CET', 'Africa/Tunis', 'Africa/Algiers'], { 3600: 'CET', 7200: 'CEST' }],
  [['Europe/Athens', 'Europe/Bucharest', 'Europe/Helsinki', 'Europe/Kiev', 'Europe/Kyiv', 'Europe/Riga', 'Europe/Sofia', 'Europe/Tallinn', 'Europe/Vilnius', 'Europe/Chisinau', 'Europe/Mariehamn', 'Asia/Beirut', 'Asia/Nicosia', 'Asia/Famagusta', 'Europe/Nicosia', 'Africa/Cairo', 'Africa/Tripoli', 'Asia/Gaza', 'Asia/Hebron', 'EET', 'Europe/Kaliningrad'], { 7200: 'EET', 10800: 'EEST' }],
  [['Europe/Lisbon', 'Atlantic/Madeira', 'Atlantic/Canary', 'Atlantic/Faroe', 'WET'], { 0: 'WET', 3600: 'WEST' }],
  [['Europe/London', 'Europe/Belfast', 'Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/Jersey', 'GB'], { 0: 'GMT', 3600: 'BST' }],
  [['Europe/Dublin', 'Eire'], { 0: 'GMT', 3600: 'IST' }],
  [['Europe/Moscow', 'Europe/Simferopol', 'W-SU'], { 10800: 'MSK' }],
  [['Asia/Tokyo', 'Japan'], { 32400: 'JST' }],
  [['Asia/Seoul', 'Asia/Pyongyang', 'ROK'], { 32400: 'KST' }],
  [['Asia/Kolkata', 'Asia/Calcutta'], { 19800: 'IST' }],
  [['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'Asia/Macau', 'Asia/Taipei', 'PRC', 'ROC'], { 28800: 'CST' }],
  [['Asia/Hong_Kong', 'Hongkong'], { 28800: 'HKT' }],
  [['Asia/Manila'], { 28800: 'PST' }],
  [['Asia/Jakarta', 'Asia/Pontianak'], { 25200: 'WIB' }],
  [['Asia/Karachi'], { 18000: 'PKT' }],
  [['Asia/Jerusalem', 'Asia/Tel_Aviv', 'Israel'], { 7200: 'IST', 10800: 'IDT' }],
  [['Australia/Sydney', 'Australia/Melbourne', 'Australia/Canberra', 'Australia/Hobart', 'Australia/ACT', 'Australia/NSW', 'Australia/Victoria', 'Australia/Tasmania', 'Australia/Brisbane', 'Australia/Lindeman', 'Australia/Queensland'], { 36000: 'AEST', 39600: 'AEDT' }],
  [['Australia/Adelaide', 'Australia/Broken_Hill', 'Australia/Darwin', 'Australia/South', 'Australia/North'], { 34200: 'ACST', 37800: 'ACDT' }],
  [['Australia/Perth', 'Australia/West'], { 28800: 'AWST' }],
  [['Pacific/Auckland', 'NZ', 'Antarctica/McMurdo'], { 43200: 'NZST', 46800: 'NZDT' }],
  [['Africa/Johannesburg', 'Africa/Maseru', 'Africa/Mbabane'], { 7200: 'SAST' }],
  [['Africa/Lagos', 'Africa/Kinshasa', 'Africa/Luanda', 'Africa/Douala', 'Africa/Libreville', 'Africa/Malabo', 'Africa/Niamey', 'Africa/Porto-Novo', 'Africa/Bangui', 'Africa/Brazzaville', 'Africa/Ndjamena'], { 3600: 'WAT' }],
  [['Africa/Nairobi', 'Africa/Addis_Ababa', 'Africa/Dar_es_Salaam', 'Africa/Kampala', 'Africa/Mogadishu', 'Africa/Djibouti', 'Africa/Asmara', 'Indian/Antananarivo', 'Indian/Comoro', 'Indian/Mayotte'], { 10800: 'EAT' }],
  [['Africa/Maputo', 'Africa/Harare', 'Africa/Lusaka', 'Africa/Lubumbashi', 'Africa/Blantyre', 'Africa/Bujumbura', 'Africa/Gaborone', 'Africa/Kigali', 'Africa/Khartoum', 'Africa/Juba', 'Africa/Windhoek'], { 7200: 'CAT' }],
  [['America/St_Johns', 'Canada/Newfoundland'], { [-12600]: 'NST', [-9000]: 'NDT' }],
];

const ABBREV_BY_ZONE = new Map<string, Readonly<Record<number, string>>>();
for (const [zones, byOffset] of ABBREVIATIONS) for (const z of zones) ABBREV_BY_ZONE.set(z, byOffset);

const ianaCache = new Map<string, GoLocation | null>();

/**
 * time.LoadLocation(name): "" and "UTC" are UTC, "Local" is Local (UTC), an IANA name is that zone;
 * undefined where Go fails (unknown zone; names differing only in case, as tzdata's file names are
 * case-sensitive).
 */
export function loadLocation(name: string): GoLocation | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  const hit = ianaCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const loc = ianaLocation(name);
  if (ianaCache.size < 1000) ianaCache.set(name, loc ?? null);
  return loc;
}

function ianaLocation(name: string): GoLocation | undefined {
  let resolved: string;
  let offsetFmt: Intl.DateTimeFormat;
  let shortFmt: Intl.DateTimeFormat;
  try {
    offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
    shortFmt = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
    resolved = offsetFmt.resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // Intl matches zone names case-insensitively; Go's tzdata lookup does not.
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return undefined;
  const part = (f: Intl.DateTimeFormat, ms: number): string => f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const zoneAt = (unixSec: bigint): ZoneInfo => {
    // Intl covers about ±8.64e15 ms; instants beyond take the nearest representable one.
    const ms = Math.max(-8.64e15, Math.min(8.64e15, Number(unixSec) * 1000));
    const off = part(offsetFmt, ms);
    const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(off);
    const offset = m && m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) : 0;
    return { offset, abbrev: abbreviation(name, offset, part(shortFmt, ms)) };
  };
  return {
    name,
    zoneAt,
    offsetOfAbbrev: (a, unixSec) => {
      // Location.lookupName: the zone in effect near the instant with that abbreviation.
      for (const probe of [unixSec, unixSec - 86400n * 183n, unixSec + 86400n * 183n]) {
        const z = zoneAt(probe);
        if (z.abbrev === a) return z.offset;
      }
      return undefined;
    },
  };
}

function abbreviation(zone: string, offset: number, intlShort: string): string {
  const known = ABBREV_BY_ZONE.get(zone)?.[offset];
  if (known !== undefined) return known;
  if (/^[A-Z]{3,5}$/.test(intlShort) && !(intlShort === 'GMT' && offset !== 0)) return intlShort;
  // tzdata's numeric abbreviations: "+09", "-03", "+0530".
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = Math.floor((abs % 3600) / 60);
  return `${sign}${h}${mm === 0 ? '' : String(mm).padStart(2, '0')}`;
}
