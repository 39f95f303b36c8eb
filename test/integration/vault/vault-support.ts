// Shared setup for the vault's integration tests: a vault in a temp dir with captured logs, SDK
// options that trust its CA, and a self-signed client certificate for ClientCertificateCredential.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { createLogger } from '../../../src/platform/logger.ts';
import { startVault, type StartedVault, type VaultOptions } from '../../../src/vault/index.ts';

export interface TestVault {
  vault: StartedVault;
  dataDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestVault(opts: Partial<VaultOptions> = {}): Promise<TestVault> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'projector-vault-'));
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const vault = await startVault({ ...opts, dataDir, log });
  return {
    vault,
    dataDir,
    logs,
    async stop() {
      await vault.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Options for credentials: local authority, no instance discovery, the vault's CA trusted via the pipeline. */
export function credentialOptions(vault: StartedVault) {
  return { authorityHost: vault.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: vault.caPem } };
}

export function clientOptions(vault: StartedVault) {
  return { disableChallengeResourceVerification: true, tlsOptions: { ca: vault.caPem }, retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 5000 } };
}

/** A self-signed certificate and its key, as ClientCertificateCredential reads them (one PEM). */
export function selfSignedClientCertificate(commonName: string): { certificatePem: string; combinedPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer([{ name: 'commonName', value: commonName }]);
  cert.sign(key, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  return { certificatePem, combinedPem: `${certificatePem}\n${keyPem}` };
}

export function canary(label: string): string {
  return `canary-${label}-${randomBytes(6).toString('hex')}`;
}
