/**
 * bcrypt as golang.org/x/crypto/bcrypt v0.53.0 computes it (GenerateFromPassword, version "2a"),
 * on Blowfish as golang.org/x/crypto/blowfish defines it. sprig's `bcrypt` and ESO's `htpasswd`
 * use it with the default cost 10. Node's crypto has no Blowfish, so it is written here.
 *
 * Blowfish's initial P-array and S-boxes are the hexadecimal digits of π's fraction (Schneier's
 * definition); they are computed once, on first use, instead of being pasted in as 1,042 constants.
 */
import { randomBytes } from 'node:crypto';

const P_WORDS = 18;
const S_WORDS = 4 * 256;

let piWords: Uint32Array | undefined;

/** The first `n` 32-bit words of π's fraction in hexadecimal: 0x243f6a88, 0x85a308d3, … */
function piFractionWords(n: number): Uint32Array {
  const bits = BigInt(32 * n + 64); // guard bits absorb the series' truncation error
  const one = 1n << bits;
  // Machin: π = 16·atan(1/5) − 4·atan(1/239), each series in fixed point.
  const atanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let term = one / x;
    let sum = term;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      const t = term / (2n * k + 1n);
      sum += k % 2n === 1n ? -t : t;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  let frac = (pi - 3n * one) >> 64n; // drop the guard bits
  const out = new Uint32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  return out;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;

  constructor() {
    piWords ??= piFractionWords(P_WORDS + S_WORDS);
    this.p = piWords.slice(0, P_WORDS);
    this.s = piWords.slice(P_WORDS);
  }

  /** Encrypts the block (l, r) into `out`: out[0] = left, out[1] = right. */
  encrypt(l: number, r: number, out: Uint32Array): void {
    const p = this.p;
    const s = this.s;
    let xl = (l ^ p[0]!) >>> 0;
    let xr = r >>> 0;
    for (let i = 1; i <= 16; i += 2) {
      xr ^= ((((s[xl >>> 24]! + s[256 + ((xl >>> 16) & 0xff)]!) ^ s[512 + ((xl >>> 8) & 0xff)]!) + s[768 + (xl & 0xff)]!) ^ p[i]!);
      xr >>>= 0;
      xl ^= ((((s[xr >>> 24]! + s[256 + ((xr >>> 16) & 0xff)]!) ^ s[512 + ((xr >>> 8) & 0xff)]!) + s[768 + (xr & 0xff)]!) ^ p[i + 1]!);
      xl >>>= 0;
    }
    out[0] = (xr ^ p[17]!) >>> 0;
    out[1] = xl;
  }

  /** blowfish.ExpandKey / expandKeyWithSalt (the salt is XORed in when given). */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    let j = 0;
    for (let i = 0; i < P_WORDS; i++) {
      const [w, next] = nextWord(key, j);
      this.p[i] = (this.p[i]! ^ w) >>> 0;
      j = next;
    }
    let k = 0;
    const block = new Uint32Array(2);
    const fill = (arr: Uint32Array, len: number): void => {
      for (let i = 0; i < len; i += 2) {
        let l = block[0]!;
        let r = block[1]!;
        if (salt) {
          const [a, n1] = nextWord(salt, k);
          const [b, n2] = nextWord(salt, n1);
          k = n2;
          l ^= a;
          r ^= b;
        }
        this.encrypt(l, r, block);
        arr[i] = block[0]!;
        arr[i + 1] = block[1]!;
      }
    };
    fill(this.p, P_WORDS);
    fill(this.s, S_WORDS);
  }
}

/** blowfish's getNextWord: four bytes, big-endian, cycling through `b`. */
function nextWord(b: Uint8Array, j: number): [number, number] {
  let w = 0;
  for (let i = 0; i < 4; i++) {
    if (j >= b.length) j = 0;
    w = ((w << 8) | b[j]!) >>> 0;
    j++;
  }
  return [w, j];
}

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** bcrypt's base64: its own alphabet, no padding. */
function b64encode(b: Uint8Array): string {
  return Buffer.from(b).toString('base64').replace(/=+$/, '').replace(/[A-Za-z0-9+/]/g, (c) => ALPHABET['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(c)]!);
}

function b64decode(s: string): Uint8Array {
  const std = s.replace(/./g, (c) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[ALPHABET.indexOf(c)]!);
  return new Uint8Array(Buffer.from(std, 'base64'));
}

const MAGIC = new TextEncoder().encode('OrpheanBeholderScryDoubt');

/** The 31-character hash of `password` with the 22-character encoded `salt` at `cost`. */
function bcryptHash(password: Uint8Array, cost: number, salt: string): string {
  const csalt = b64decode(salt);
  // Bug compatibility with C bcrypt, as Go keeps it: the key includes its terminating NUL.
  const ckey = new Uint8Array(password.length + 1);
  ckey.set(password);
  const c = new Blowfish();
  c.expand(ckey, csalt);
  for (let i = 0; i < 2 ** cost; i++) {
    c.expand(ckey);
    c.expand(csalt);
  }
  const data = new DataView(MAGIC.slice().buffer);
  const block = new Uint32Array(2);
  for (let i = 0; i < 24; i += 8) {
    let l = data.getUint32(i);
    let r = data.getUint32(i + 4);
    for (let j = 0; j < 64; j++) {
      c.encrypt(l, r, block);
      l = block[0]!;
      r = block[1]!;
    }
    data.setUint32(i, l);
    data.setUint32(i + 4, r);
  }
  // Only 23 of the 24 bytes are encoded, as in C bcrypt.
  return b64encode(new Uint8Array(data.buffer, 0, 23));
}

export const BCRYPT_DEFAULT_COST = 10;

export class BcryptError extends Error {}

/**
 * bcrypt.GenerateFromPassword(password, cost): `$2a$<cost>$<salt><hash>` with a random 16-byte
 * salt. Throws BcryptError("bcrypt: password length exceeds 72 bytes") as Go returns it.
 */
export function bcryptGenerate(password: Uint8Array, cost = BCRYPT_DEFAULT_COST, salt: Uint8Array = randomBytes(16)): string {
  if (password.length > 72) throw new BcryptError('bcrypt: password length exceeds 72 bytes');
  const encodedSalt = b64encode(salt);
  return `$2a$${String(cost).padStart(2, '0')}$${encodedSalt}${bcryptHash(password, cost, encodedSalt)}`;
}

/** bcrypt.CompareHashAndPassword for `$2a$`/`$2b$`/`$2y$` hashes: whether `password` gives `hash`. */
export function bcryptVerify(hash: string, password: Uint8Array): boolean {
  const m = /^\$2[aby]?\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (!m) return false;
  return bcryptHash(password, Number(m[1]), m[2]!) === m[3];
}
