/**
 * Makes generated certificates comparable: each PEM CERTIFICATE block becomes its TBSCertificate
 * fields in hex without the two random/time-dependent ones (serial number, validity), the
 * signature algorithm, and the validity length in days. Keys (given by the *WithKey forms) stay.
 */
import { X509Certificate } from 'node:crypto';
import { readTlv, seq } from '../../../../src/core/template/der.ts';

export function normaliseCertificates(s: string): string {
  return s.replace(/-----BEGIN CERTIFICATE-----\n([\s\S]*?)-----END CERTIFICATE-----\n/g, (_m, b64: string) => {
    const der = Buffer.from(b64.replace(/\n/g, ''), 'base64');
    const parts = seq(readTlv(der).tlv, 'certificate');
    const tbs = seq(parts[0], 'tbsCertificate');
    const kept = tbs.filter((_, i) => i !== 1 && i !== 4).map((t) => Buffer.from(t.full).toString('hex'));
    const x = new X509Certificate(der);
    const days = Math.round((Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000);
    return `CERT[${kept.join(' ')} sigalg=${Buffer.from(parts[1]!.full).toString('hex')} days=${days}]`;
  });
}
