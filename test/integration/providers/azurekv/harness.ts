// Shared pieces for the azurekv integration tests: a fake ProviderHost (Secrets as a Map, service
// account tokens signed by a test issuer), a log capture, and store builders.
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AzureKVProvider, GenericStore, SecretKeySelector, ServiceAccountSelector } from '../../../../src/api/index.ts';
import { ProjectorError } from '../../../../src/core/errors.ts';
import { Sensitive } from '../../../../src/core/sensitive.ts';
import { createLogger, type Logger } from '../../../../src/platform/logger.ts';
import type { ProviderHost } from '../../../../src/providers/provider.ts';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Everything the code under test logged, as raw JSON lines. */
export function captureLog(): { log: Logger; text(): string } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } as never });
  return { log, text: () => lines.join('') };
}

/** A Kubernetes stand-in: Secret keys in a Map, service accounts with annotations, a token issuer. */
export class FakeHost implements ProviderHost {
  readonly namespace: string | undefined;
  readonly log: Logger;
  readonly secrets = new Map<string, string>();
  readonly configMaps = new Map<string, string>();
  readonly annotations = new Map<string, Record<string, string>>();
  readonly issuedAudiences: string[][] = [];
  readonly #issuer: TokenIssuer;

  constructor(opts: { namespace?: string; log: Logger; issuer: TokenIssuer }) {
    this.namespace = opts.namespace;
    this.log = opts.log;
    this.#issuer = opts.issuer;
  }

  setSecret(namespace: string, name: string, data: Record<string, string>): void {
    for (const [k, v] of Object.entries(data)) this.secrets.set(`${namespace}/${name}/${k}`, v);
  }

  async readSecretKey(ref: SecretKeySelector): Promise<Sensitive<string>> {
    const ns = ref.namespace ?? this.namespace;
    const v = this.secrets.get(`${ns}/${ref.name}/${ref.key}`);
    if (v === undefined) throw new ProjectorError('CredentialNotFound', `Secret ${ns}/${ref.name} has no key "${ref.key}"`);
    return new Sensitive(v);
  }

  async readConfigMapKey(ref: { name: string; namespace?: string; key: string }): Promise<string> {
    const v = this.configMaps.get(`${ref.namespace ?? this.namespace}/${ref.name}/${ref.key}`);
    if (v === undefined) throw new ProjectorError('CredentialNotFound', `ConfigMap ${ref.name} has no key "${ref.key}"`);
    return v;
  }

  async serviceAccountToken(sa: ServiceAccountSelector, audiences: string[]): Promise<Sensitive<string>> {
    this.issuedAudiences.push(audiences);
    if (sa.name === 'missing') throw new ProjectorError('CredentialNotFound', `ServiceAccount ${sa.namespace ?? this.namespace}/missing not found`);
    return new Sensitive(this.#issuer.sign(`system:serviceaccount:${sa.namespace ?? this.namespace}:${sa.name}`, audiences));
  }

  async serviceAccountAnnotations(sa: ServiceAccountSelector): Promise<Record<string, string>> {
    return this.annotations.get(`${sa.namespace ?? this.namespace}/${sa.name}`) ?? {};
  }
}

/** Signs service-account-like JWTs (RS256) and serves the JWKS that verifies them, as an API server would. */
export class TokenIssuer {
  readonly #key: KeyObject;
  readonly #publicJwk: Record<string, unknown>;
  #server: Server | undefined;
  jwksUri = '';

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#key = privateKey;
    this.#publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-kid', use: 'sig', alg: 'RS256' };
  }

  async start(): Promise<void> {
    this.#server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [this.#publicJwk] }));
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.jwksUri = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/openid/v1/jwks`;
  }

  sign(subject: string, audiences: string[]): string {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'test-kid' })}.${b64({ iss: ISSUER, sub: subject, aud: audiences, iat: now, nbf: now, exp: now + 600 })}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(this.#key).toString('base64url')}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}

/** A self-signed certificate + key in one PEM (what authSecretRef.clientCertificate holds). */
export function selfSignedCertificate(): { certPem: string; bundlePem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'projector-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=projector-test', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { certPem, bundlePem: certPem + readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function clusterStore(azurekv: Partial<AzureKVProvider> & { vaultUrl: string }, kind: GenericStore['kind'] = 'ClusterSecretStore', namespace?: string): GenericStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: { name: 'akv-test', ...(namespace ? { namespace } : {}) },
    spec: { provider: { azurekv: azurekv as AzureKVProvider } },
  };
}

export const secretRef = (name: string, key: string, namespace?: string) => ({
  valueFrom: { secretKeyRef: { name, key, ...(namespace ? { namespace } : {}) } },
});

export function text(b: Sensitive<Uint8Array>): string {
  return Buffer.from(b.reveal()).toString('utf8');
}
