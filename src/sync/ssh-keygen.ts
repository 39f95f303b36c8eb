// SSHKey generators' key material: node:crypto's generateKeyPair (OpenSSL, run on libuv's thread
// pool, so an 8192-bit RSA key does not stall the event loop), returned as a private JWK for the
// pure OpenSSH encoder (core/sshkey.ts). ESO draws its keys from Go's crypto/rand through
// rsa.GenerateKey (public exponent 65537, as OpenSSL's default), ed25519.GenerateKey and
// ecdsa.GenerateKey (generators/v1/sshkey/sshkey.go).
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { ProjectorError } from '../core/errors.ts';
import type { PrivateJwk, SshKeyParams } from '../core/sshkey.ts';

/**
 * A new private key as `params` says, as a JWK (RSA: n, e, d, p, q, qi, …; Ed25519: x, d; EC: x, y,
 * d). Throws GeneratorFailed (OpenSSL's reason is not passed on: it could only name parameters,
 * but it is not ours to word).
 */
export function generateSshKeyJwk(params: SshKeyParams): Promise<PrivateJwk> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) => {
      if (err) reject(new ProjectorError('GeneratorFailed', `SSHKey: could not generate the ${params.type} key (${err.name})`, { field: 'spec.keyType' }));
      else resolve(priv.export({ format: 'jwk' }) as PrivateJwk);
    };
    if (params.type === 'rsa') generateKeyPair('rsa', { modulusLength: params.bits, publicExponent: 65537 }, done);
    else if (params.type === 'ed25519') generateKeyPair('ed25519', {}, done);
    else generateKeyPair('ec', { namedCurve: params.curve }, done);
  });
}
