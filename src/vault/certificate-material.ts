// Certificate material for `POST /certificates/{name}/import`: a PEM file or a PKCS#12 (base64)
// holding the certificate chain and its private key, as AKV accepts them. Yields the leaf's DER, the
// private key and the backing secret's value (PEM: key then certificates; PKCS#12: re-exported
// without a password, as AKV serves it). Errors name the problem, never the material.
import { X509Certificate, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { badParameter } from './api-error.ts';

export const PKCS12 = 'application/x-pkcs12';
export const PEM_FILE = 'application/x-pem-file';

export interface ImportedCertificate {
  /** DER of the leaf certificate. */
  leaf: Buffer;
  chain: Buffer[];
  privateKey: KeyObject;
  contentType: typeof PKCS12 | typeof PEM_FILE;
  /** What GET /secrets/{name} answers for this version. */
  secretValue: string;
  subject: string;
  notBefore: number;
  expires: number;
  /** SHA-1 of the leaf DER, base64url (AKV's x5t). */
  x5t: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function derOfPem(body: string): Buffer {
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

function pemOf(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The certificate whose public key is the private key's first, then the others (AKV orders leaf first). */
function leafFirst(certs: Buffer[], key: KeyObject): Buffer[] {
  const want = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const i = certs.findIndex((der) => new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }).equals(want));
  if (i <= 0) return certs;
  return [certs[i]!, ...certs.filter((_, j) => j !== i)];
}

function fromPem(text: string): { certs: Buffer[]; key: KeyObject } {
  const certs: Buffer[] = [];
  let key: KeyObject | undefined;
  for (const m of text.matchAll(PEM_BLOCK)) {
    const label = m[1]!;
    if (label === 'CERTIFICATE') certs.push(derOfPem(m[2]!));
    else if (/PRIVATE KEY$/.test(label) && label !== 'ENCRYPTED PRIVATE KEY' && !key) {
      try {
        key = createPrivateKey({ key: m[0], format: 'pem' });
      } catch {
        throw badParameter('The specified PEM X.509 certificate content contains a private key that cannot be read.');
      }
    }
  }
  if (certs.length === 0) throw badParameter('The specified PEM X.509 certificate content is in an unexpected format. Please check if certificate is in valid PEM format.');
  if (!key) throw badParameter('Private key is not specified in the specified X.509 PEM certificate content. Please specify private key in the X.509 PEM certificate content.');
  return { certs, key };
}

function derOfForge(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

/**
 * Certificates and the private key of a PKCS#12. node-forge decrypts and walks the bags (node:crypto
 * cannot read PKCS#12), but it builds key and certificate objects for RSA only: for an EC key or an
 * EC certificate it leaves the bag's ASN.1 (`bag.asn1`) instead. Both forms are turned into DER
 * here, and node:crypto reads the key from its PKCS#8 bytes, so RSA and EC (P-256, P-384, P-521,
 * P-256K) keys come out of the same path.
 */
function fromPkcs12(base64: string, password: string): { certs: Buffer[]; key: KeyObject } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = Buffer.from(base64.replace(/\s+/g, ''), 'base64').toString('binary');
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);
  } catch {
    // forge's messages may describe the input: only the fact is reported.
    throw badParameter('The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format and the password is right.');
  }
  type Bag = forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
  const bagsOf = (oid: string): Bag[] => (p12.getBags({ bagType: oid })[oid] ?? []) as Bag[];
  const certs = bagsOf(forge.pki.oids.certBag!).flatMap((b) => (b.cert ? [derOfForge(forge.pki.certificateToAsn1(b.cert))] : b.asn1 ? [derOfForge(b.asn1)] : []));
  const keyBag = [...bagsOf(forge.pki.oids.pkcs8ShroudedKeyBag!), ...bagsOf(forge.pki.oids.keyBag!)].find((b) => b.key || b.asn1);
  if (certs.length === 0) throw badParameter('The specified PKCS#12 X.509 certificate content holds no certificate.');
  if (!keyBag) throw badParameter('Private key is not specified in the specified PKCS#12 X.509 certificate content. Please specify private key in the PKCS#12 X.509 certificate content.');
  let key: KeyObject;
  try {
    // An RSA bag: forge's key object, written back as PKCS#8; any other: the PrivateKeyInfo forge kept.
    const pkcs8 = keyBag.key ? derOfForge(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))) : derOfForge(keyBag.asn1!);
    key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch {
    throw badParameter('The specified PKCS#12 X.509 certificate content contains a private key that cannot be read.');
  }
  return { certs, key };
}

/**
 * A PKCS#12 of the key and chain without a password, as AKV serves a PKCS#12 certificate's secret.
 * The structure is node-forge's toPkcs12Asn1 with a null password (certificates in a plain `data`
 * safe, the leaf and the key bag sharing localKeyId = SHA-1 of the leaf, an unencrypted PKCS#8
 * keyBag, a SHA-1 MAC keyed as forge keys it for no password), written here from DER because forge
 * only writes RSA keys and certificates.
 */
function toPkcs12(certs: Buffer[], key: KeyObject): string {
  const { asn1 } = forge;
  const U = asn1.Class.UNIVERSAL;
  const seq = (items: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SEQUENCE, true, items);
  const oid = (o: string) => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
  const octets = (bytes: string) => asn1.create(U, asn1.Type.OCTETSTRING, false, bytes);
  const explicit0 = (item: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item]);
  const dataInfo = (content: forge.asn1.Asn1) => seq([oid(forge.pki.oids.data!), explicit0(octets(asn1.toDer(content).getBytes()))]);
  const localKeyId = asn1.create(U, asn1.Type.SET, true, [
    seq([oid(forge.pki.oids.localKeyId!), asn1.create(U, asn1.Type.SET, true, [octets(createHash('sha1').update(certs[0]!).digest().toString('binary'))])]),
  ]);
  const certBags = certs.map((der, i) =>
    seq([
      oid(forge.pki.oids.certBag!),
      explicit0(seq([oid(forge.pki.oids.x509Certificate!), explicit0(octets(der.toString('binary')))])),
      ...(i === 0 ? [localKeyId] : []),
    ]),
  );
  const pkcs8 = asn1.fromDer(key.export({ type: 'pkcs8', format: 'der' }).toString('binary'));
  const keyBag = seq([oid(forge.pki.oids.keyBag!), explicit0(pkcs8), localKeyId]);
  const safe = seq([dataInfo(seq(certBags)), dataInfo(seq([keyBag]))]);
  const safeDer = asn1.toDer(safe).getBytes();
  const count = 2048;
  const salt = forge.random.getBytesSync(8);
  const macKey = forge.pkcs12.generateKey(null as unknown as string, forge.util.createBuffer(salt), 3, count, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(safeDer);
  const macData = seq([
    seq([seq([oid(forge.pki.oids.sha1!), asn1.create(U, asn1.Type.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(salt),
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(count).getBytes()),
  ]);
  const pfx = seq([asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()), dataInfo(safe), macData]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary').toString('base64');
}

/** The backing secret's value for a chain (leaf first) and key: PEM (key, then certificates) or a passwordless PKCS#12 (base64). */
export function secretValueOf(contentType: typeof PKCS12 | typeof PEM_FILE, chain: Buffer[], key: KeyObject): string {
  return contentType === PEM_FILE ? pemOf('PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' })) + chain.map((c) => pemOf('CERTIFICATE', c)).join('') : toPkcs12(chain, key);
}

/**
 * The PEM text a base64 `value` carries, when it carries one: SDKs that import without a policy
 * base64-encode whatever bytes they are given (@azure/keyvault-certificates parseCertificateBytes,
 * ESO's setKeyVaultCertificate), and Key Vault takes a base64-encoded PEM file as PEM (ESO's
 * PushSecret of a PEM certificate relies on it). Printable text with a BEGIN line only.
 */
function pemInBase64(value: string): string | undefined {
  const text = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('latin1');
  return text.includes('-----BEGIN') && /^[\t\n\r\x20-\x7e]*$/.test(text) ? text : undefined;
}

/**
 * Reads an import's `value` (and `pwd`): PEM when `contentType` is application/x-pem-file (or the
 * text, or the base64 text, is PEM and no policy says otherwise), else base64 PKCS#12. 400 BadParameter when it holds
 * no certificate or no private key, as AKV answers. RSA and EC keys, in PEM and in PKCS#12 alike.
 */
export function readCertificateImport(value: string, password: string | undefined, contentType: string | undefined): ImportedCertificate {
  const base64Pem = contentType === undefined && !value.includes('-----BEGIN') ? pemInBase64(value) : undefined;
  const pem = contentType === PEM_FILE || (contentType === undefined && (value.includes('-----BEGIN') || base64Pem !== undefined));
  const { certs, key } = pem ? fromPem(base64Pem ?? value) : fromPkcs12(value, password ?? '');
  let chain: Buffer[];
  let x509: X509Certificate;
  try {
    chain = leafFirst(certs, key);
    x509 = new X509Certificate(chain[0]!);
  } catch {
    throw badParameter('The specified X.509 certificate content can not be read.');
  }
  const leaf = chain[0]!;
  const secretValue = secretValueOf(pem ? PEM_FILE : PKCS12, chain, key);
  return {
    leaf,
    chain,
    privateKey: key,
    contentType: pem ? PEM_FILE : PKCS12,
    secretValue,
    subject: x509.subject.split('\n').join(', '),
    notBefore: Math.floor(Date.parse(x509.validFrom) / 1000),
    expires: Math.floor(Date.parse(x509.validTo) / 1000),
    x5t: createHash('sha1').update(leaf).digest('base64url'),
  };
}
