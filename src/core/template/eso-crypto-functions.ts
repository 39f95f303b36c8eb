/**
 * ESO's certificate and key template functions (runtime/template/v2: pkcs12.go, pem.go,
 * pem_chain.go, jwk.go, decrypt.go), producing the bytes ESO produces. Arguments are Go strings
 * read as bytes (core/go-string.ts), so a PFX from `b64dec` arrives intact; results that may hold
 * arbitrary bytes (rsaDecrypt) are returned in the same lossless form.
 *
 * Failure mirrors ESO: the Go function's error becomes a template error (the sync fails). Where
 * ESO's Go code dereferences a nil PEM block (pemToPkcs12* / fullPemToPkcs12* / pemTruststore* on
 * input without a PEM block, or with text after the last block) Go panics and text/template reports
 * the runtime error; the same message is reported here. Messages never include input bytes; where
 * a Go message would quote part of the input (a URI in certSANs, a JWK member) it is left out.
 */
import { constants, privateDecrypt } from 'node:crypto';
import { goStringFromBytes } from '../go-string.ts';
import { DerError } from './der.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { pemDecode, pemDecodeAll, pemEncode } from './go-pem.ts';
import { decodeChain, encodeModern, encodeTrustStoreModern, Pkcs12Error } from './go-pkcs12.ts';
import {
  keyFromJwk,
  marshalPkcs8,
  marshalPkix,
  parseAnyPrivateKey,
  parseCertificate,
  X509Error,
  type ParsedCertificate,
} from './go-x509.ts';
import { FuncError } from './template-error.ts';
import { goBytes } from './values.ts';

const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

const str = (b: Uint8Array): string => goStringFromBytes(b);
const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Known failures keep their (value-free) message; anything else is reported by kind only. */
function wrap<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof FuncError) throw e;
    if (e instanceof Pkcs12Error || e instanceof DerError || e instanceof X509Error) throw new FuncError(prefix + e.message);
    throw new FuncError(`${prefix}${e instanceof Error ? e.name : 'error'}`);
  }
}

const certPem = (c: ParsedCertificate): Uint8Array => pemEncode({ type: 'CERTIFICATE', bytes: c.raw });

// ---- pkcs12key / pkcs12cert ----

function pkcs12keyPass(pass: string, input: string): string {
  const chain = wrap('unable to decode pkcs12 with password: ', () => decodeChain(goBytes(input), goBytes(pass)));
  const der = wrap('', () => marshalPkcs8(chain.key));
  return str(pemEncode({ type: 'PRIVATE KEY', bytes: der }));
}

function pkcs12certPass(pass: string, input: string): string {
  const chain = wrap('unable to decode pkcs12 certificate with password: ', () => decodeChain(goBytes(input), goBytes(pass)));
  const pemData = concat([chain.certificate, ...chain.caCerts].map(certPem));
  // ESO re-reads its own PEM and orders it leaf → root; when no single chain emerges it keeps file order.
  try {
    return str(concat(orderChain(pemData).map(certPem)));
  } catch {
    return str(pemData);
  }
}

// ---- chain ordering (pem_chain.go) ----

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  // Go's bytes.Equal: nil and empty are equal.
  const x = a ?? new Uint8Array(0);
  const y = b ?? new Uint8Array(0);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * ESO's fetchX509CertChains: every PEM block parsed as a certificate, each linked to the first
 * other certificate whose SubjectKeyId equals its AuthorityKeyId; exactly one certificate must be
 * no one's parent (the leaf); the chain is followed from it.
 */
function orderChain(data: Uint8Array): ParsedCertificate[] {
  const nodes = pemDecodeAll(data).blocks.map((b) => ({ cert: parseCertificate(b.bytes), parent: -1, isParent: false }));
  for (let i = 0; i < nodes.length; i++) {
    for (let j = 0; j < nodes.length; j++) {
      if (i === j) continue;
      if (sameBytes(nodes[i]!.cert.authorityKeyId, nodes[j]!.cert.subjectKeyId)) {
        nodes[j]!.isParent = true;
        nodes[i]!.parent = j;
        break;
      }
    }
  }
  let leaf = -1;
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i]!.isParent) continue;
    if (leaf >= 0) throw new FuncError('found multiple leaf or disjunct certificates');
    leaf = i;
  }
  if (leaf < 0) throw new FuncError('no leaf certificate found');
  const out: ParsedCertificate[] = [];
  for (let n = leaf; n >= 0; n = nodes[n]!.parent) {
    if (out.length >= nodes.length) throw new FuncError('constructing chain resulted in cycle');
    out.push(nodes[n]!.cert);
  }
  return out;
}

function isRoot(c: ParsedCertificate): boolean {
  return c.authorityKeyId === undefined || sameBytes(c.authorityKeyId, c.subjectKeyId);
}

function filterCertChain(certType: string, input: string): string {
  const ordered = wrap('', () => orderChain(goBytes(input)));
  switch (certType) {
    case 'leaf': {
      const c = ordered[0]!;
      return c.authorityKeyId !== undefined && !sameBytes(c.authorityKeyId, c.subjectKeyId) ? str(certPem(c)) : '';
    }
    case 'intermediate': {
      if (ordered.length < 2) return '';
      const out: Uint8Array[] = [];
      for (const c of ordered.slice(1)) {
        if (isRoot(c)) break;
        out.push(certPem(c));
      }
      return str(concat(out));
    }
    case 'root': {
      const c = ordered[ordered.length - 1]!;
      return isRoot(c) ? str(certPem(c)) : '';
    }
    default:
      return '';
  }
}

// ---- filterPEM / certSANs ----

/** ESO's trimJunk: drop everything before the first "-----BEGIN". */
function trimJunk(b: Uint8Array): Uint8Array {
  const i = Buffer.from(b).indexOf('-----BEGIN');
  return i < 0 ? b : b.subarray(i);
}

function filterPem(pemType: string, input: string): string {
  let data = trimJunk(goBytes(input));
  const out: Uint8Array[] = [];
  const want = pemType.toLowerCase();
  for (;;) {
    const { block, rest } = pemDecode(data);
    data = rest;
    if (!block) break;
    // strings.EqualFold: Unicode simple folding, approximated by lower-casing both sides.
    if (goStringFromBytes(block.type).toLowerCase() !== want) continue;
    out.push(pemEncode(block));
  }
  if (out.length === 0 && data.length !== 0) throw new FuncError('error filtering pem: found junk');
  return str(concat(out));
}

function certSans(input: string): string[] {
  const { block } = pemDecode(trimJunk(goBytes(input)));
  if (!block) throw new FuncError('failed to decode PEM block');
  return wrap('failed to parse certificate: ', () => parseCertificate(block.bytes)).sans;
}

// ---- PEM → PKCS#12 ----

function firstBlockBytes(b: Uint8Array): { bytes: Uint8Array; rest: Uint8Array } {
  const { block, rest } = pemDecode(b);
  if (!block) throw new FuncError(NIL_DEREFERENCE);
  return { bytes: block.bytes, rest };
}

/** ESO's parseCaCerts: PEM blocks until the input is used up; a leftover that is no block panics in Go. */
function parseCaCerts(b: Uint8Array): ParsedCertificate[] {
  const certs: ParsedCertificate[] = [];
  let rest = b;
  while (rest.length > 0) {
    const next = firstBlockBytes(rest);
    rest = next.rest;
    certs.push(wrap('', () => parseCertificate(next.bytes)));
  }
  return certs;
}

function certsKeyToPkcs12(cert: ParsedCertificate, key: string, caCerts: ParsedCertificate[], pass: string): string {
  const keyDer = firstBlockBytes(goBytes(key)).bytes;
  const parsed = wrap('', () => parseAnyPrivateKey(keyDer));
  const pfx = wrap('', () => encodeModern(parsed, cert, caCerts, goBytes(pass)));
  return Buffer.from(pfx).toString('base64');
}

function pemToPkcs12Pass(cert: string, key: string, pass: string): string {
  const c = wrap('', () => parseCertificate(firstBlockBytes(goBytes(cert)).bytes));
  return certsKeyToPkcs12(c, key, [], pass);
}

function fullPemToPkcs12Pass(cert: string, key: string, pass: string): string {
  const first = firstBlockBytes(goBytes(cert));
  const c = wrap('', () => parseCertificate(first.bytes));
  return certsKeyToPkcs12(c, key, parseCaCerts(first.rest), pass);
}

function pemTruststoreToPkcs12Pass(cert: string, pass: string): string {
  const certs = parseCaCerts(goBytes(cert));
  return Buffer.from(wrap('', () => encodeTrustStoreModern(certs, goBytes(pass)))).toString('base64');
}

// ---- JWK ----

/** lestrrat-go/jwx ParseKey, then Raw: a JSON object with `kty`; private when it carries `d`. */
function parseJwk(json: string): { jwk: Record<string, unknown>; isPrivate: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new FuncError('failed to parse key: the value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as { kty?: unknown }).kty !== 'string') {
    throw new FuncError('failed to parse key: the value is not a JSON Web Key');
  }
  const jwk = parsed as Record<string, unknown>;
  return { jwk, isPrivate: jwk.d !== undefined };
}

/** The Go type jwx's Raw yields for a JWK (named in x509's errors; a type name, not a value). */
function jwkGoType(jwk: Record<string, unknown>, isPrivate: boolean): string | undefined {
  const half = isPrivate ? 'PrivateKey' : 'PublicKey';
  if (jwk.kty === 'RSA') return `*rsa.${half}`;
  if (jwk.kty === 'EC') return `*ecdsa.${half}`;
  if (jwk.kty === 'oct') return '[]uint8';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return `ed25519.${half}`;
  // jwx has its own X25519 key types, which crypto/x509 does not know.
  if (jwk.kty === 'OKP' && jwk.crv === 'X25519') return `x25519.${half}`;
  return undefined;
}

function jwkPublicKeyPem(json: string): string {
  const { jwk, isPrivate } = parseJwk(json);
  const type = jwkGoType(jwk, isPrivate);
  // jwx's Raw of a private JWK is a private key, which x509.MarshalPKIXPublicKey refuses.
  if (isPrivate || type === '[]uint8' || type?.startsWith('x25519.')) throw new FuncError(`x509: unsupported public key type: ${type ?? 'unknown'}`);
  const key = wrap('', () => {
    try {
      return keyFromJwk(jwk, false);
    } catch (e) {
      if (e instanceof X509Error) throw e;
      throw new X509Error('failed to parse key: the JSON Web Key is not valid');
    }
  });
  return str(pemEncode({ type: 'PUBLIC KEY', bytes: marshalPkix(key) }));
}

function jwkPrivateKeyPem(json: string): string {
  const { jwk, isPrivate } = parseJwk(json);
  const type = jwkGoType(jwk, isPrivate);
  if (!isPrivate || type === '[]uint8' || type?.startsWith('x25519.')) {
    throw new FuncError(`x509: unknown key type while marshaling PKCS#8: ${type ?? 'unknown'}`);
  }
  const key = wrap('', () => {
    try {
      return keyFromJwk(jwk, true);
    } catch (e) {
      if (e instanceof X509Error) throw e;
      throw new X509Error('failed to parse key: the JSON Web Key is not valid');
    }
  });
  return str(pemEncode({ type: 'PRIVATE KEY', bytes: wrap('', () => marshalPkcs8(key)) }));
}

// ---- rsaDecrypt ----

const OAEP_HASH: Record<string, string> = { None: 'sha256', SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

function rsaDecrypt(scheme: string, hash: string, input: string, privateKey: string): string {
  if (scheme === 'None') return input;
  if (scheme !== 'RSA-OAEP') throw new FuncError('decryption scheme is not supported');
  const { block } = pemDecode(goBytes(privateKey));
  if (!block) throw new FuncError('failed to decode PEM block');
  const key = wrap('could not parse private key: ', () => parseAnyPrivateKey(block.bytes));
  if (key.kind !== 'rsa') throw new FuncError('could not parse RSA private key');
  try {
    const out = privateDecrypt(
      { key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[hash] ?? 'sha256' },
      goBytes(input),
    );
    return str(new Uint8Array(out));
  } catch {
    throw new FuncError('error decrypting data with RSA: crypto/rsa: decryption error');
  }
}

export const ESO_CRYPTO_FUNCTIONS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['pkcs12key', fn(['string'], ([i]) => pkcs12keyPass('', i as string))],
  ['pkcs12keyPass', fn(['string', 'string'], ([p, i]) => pkcs12keyPass(p as string, i as string))],
  ['pkcs12cert', fn(['string'], ([i]) => pkcs12certPass('', i as string))],
  ['pkcs12certPass', fn(['string', 'string'], ([p, i]) => pkcs12certPass(p as string, i as string))],
  ['pemToPkcs12', fn(['string', 'string'], ([c, k]) => pemToPkcs12Pass(c as string, k as string, ''))],
  ['pemToPkcs12Pass', fn(['string', 'string', 'string'], ([c, k, p]) => pemToPkcs12Pass(c as string, k as string, p as string))],
  ['fullPemToPkcs12', fn(['string', 'string'], ([c, k]) => fullPemToPkcs12Pass(c as string, k as string, ''))],
  ['fullPemToPkcs12Pass', fn(['string', 'string', 'string'], ([c, k, p]) => fullPemToPkcs12Pass(c as string, k as string, p as string))],
  ['pemTruststoreToPKCS12', fn(['string'], ([c]) => pemTruststoreToPkcs12Pass(c as string, ''))],
  ['pemTruststoreToPKCS12Pass', fn(['string', 'string'], ([c, p]) => pemTruststoreToPkcs12Pass(c as string, p as string))],
  ['filterPEM', fn(['string', 'string'], ([t, s]) => filterPem(t as string, s as string))],
  ['filterCertChain', fn(['string', 'string'], ([t, s]) => filterCertChain(t as string, s as string))],
  ['certSANs', fn(['string'], ([s]) => certSans(s as string))],
  ['jwkPublicKeyPem', fn(['string'], ([s]) => jwkPublicKeyPem(s as string))],
  ['jwkPrivateKeyPem', fn(['string'], ([s]) => jwkPrivateKeyPem(s as string))],
  ['rsaDecrypt', fn(['string', 'string', 'string', 'string'], ([s, h, i, k]) => rsaDecrypt(s as string, h as string, i as string, k as string))],
]);

