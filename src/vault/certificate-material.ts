// Certificate material for `POST /certificates/{name}/import`: a PEM file or a PKCS#12 (base64)
// holding the certificate chain and its private key, as AKV accepts them. Yields the leaf's DER, the
// private key and the backing secret's value (PEM: key then certificates; PKCS#12: re-exported
// without a password, as AKV serves it). Errors name the problem, never the material.
import { X509Certificate, createHash, createHmac, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
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
 * A PKCS#12 of the key and chain without a password, as AKV serves a PKCS#12 certificate's secret:
 * the layout node-forge's toPkcs12Asn1 writes with a null password (certificates in a plain `data`
 * safe, the leaf and the key bag sharing localKeyId = SHA-1 of the leaf, an unencrypted PKCS#8
 * keyBag, a SHA-1 MAC over the authenticated safe). forge writes RSA keys and certificates only, so
 * the structures come from @peculiar/asn1-pfx and @peculiar/asn1-pkcs8 (ASN.1 schemas of RFC 7292
 * and RFC 5208, loaded here on first use); the MAC key is RFC 7292 Appendix B's derivation as forge
 * implements it (no password: an empty one), the HMAC node:crypto's. See docs/design/005.
 */
async function toPkcs12(certs: Buffer[], key: KeyObject): Promise<string> {
  const [{ AsnConvert, OctetString }, pfx, { PrivateKeyInfo }, { ContentInfo, id_data }, { DigestInfo, id_sha1 }, { AlgorithmIdentifier }, { id_pkcs9_at_localKeyId }] = await Promise.all([
    import('@peculiar/asn1-schema'),
    import('@peculiar/asn1-pfx'),
    import('@peculiar/asn1-pkcs8'),
    import('@peculiar/asn1-cms'),
    import('@peculiar/asn1-rsa'),
    import('@peculiar/asn1-x509'),
    import('@peculiar/asn1-pkcs9'),
  ]);
  const der = (value: unknown): ArrayBuffer => AsnConvert.serialize(value);
  const octets = (bytes: Uint8Array): ArrayBuffer => der(new OctetString(bytes));
  const dataInfo = (content: ArrayBuffer) => new ContentInfo({ contentType: id_data, content: octets(new Uint8Array(content)) });
  // Assigned after construction: PKCS12Attribute's constructor (asn1-pfx 2.11.1) drops its params.
  const localKeyId = [Object.assign(new pfx.PKCS12Attribute(), { attrId: id_pkcs9_at_localKeyId, attrValues: [octets(createHash('sha1').update(certs[0]!).digest())] })];
  const certBags = certs.map(
    (cert, i) =>
      new pfx.SafeBag({
        bagId: pfx.id_certBag,
        bagValue: der(new pfx.CertBag({ certId: pfx.id_x509Certificate, certValue: octets(cert) })),
        ...(i === 0 && { bagAttributes: localKeyId }),
      }),
  );
  const keyInfo = AsnConvert.parse(key.export({ type: 'pkcs8', format: 'der' }), PrivateKeyInfo);
  const keyBag = new pfx.SafeBag({ bagId: pfx.id_keyBag, bagValue: der(keyInfo), bagAttributes: localKeyId });
  const safe = der(new pfx.AuthenticatedSafe([dataInfo(der(new pfx.SafeContents(certBags))), dataInfo(der(new pfx.SafeContents([keyBag])))]));
  const iterations = 2048;
  const salt = randomBytes(8);
  const macKey = forge.pkcs12.generateKey(null as unknown as string, forge.util.createBuffer(salt.toString('binary')), 3, iterations, 20);
  const mac = createHmac('sha1', Buffer.from(macKey.getBytes(), 'binary')).update(new Uint8Array(safe)).digest();
  const pfxValue = new pfx.PFX({
    version: 3,
    authSafe: dataInfo(safe),
    macData: new pfx.MacData({
      mac: new DigestInfo({ digestAlgorithm: new AlgorithmIdentifier({ algorithm: id_sha1, parameters: null }), digest: new OctetString(mac) }),
      macSalt: new OctetString(salt),
      iterations,
    }),
  });
  return Buffer.from(der(pfxValue)).toString('base64');
}

/** The backing secret's value for a chain (leaf first) and key: PEM (key, then certificates) or a passwordless PKCS#12 (base64). */
export async function secretValueOf(contentType: typeof PKCS12 | typeof PEM_FILE, chain: Buffer[], key: KeyObject): Promise<string> {
  return contentType === PEM_FILE ? pemOf('PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' })) + chain.map((c) => pemOf('CERTIFICATE', c)).join('') : await toPkcs12(chain, key);
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
export async function readCertificateImport(value: string, password: string | undefined, contentType: string | undefined): Promise<ImportedCertificate> {
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
  const secretValue = await secretValueOf(pem ? PEM_FILE : PKCS12, chain, key);
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
