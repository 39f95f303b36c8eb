// The HOWTO end to end with a service principal: the ClusterSecretStore exactly as the HOWTO writes
// it (client secret from akv-sp-credentials), then with authSecretRef.clientCertificate.
import { after, before, describe, it } from 'node:test';
import { HOWTO, HowtoEnv } from './howto-env.ts';
import { runHowtoFlow } from './howto-flow.ts';
import { selfSignedCertificate } from '../providers/azurekv/harness.ts';

const SP_CLIENT = 'howto-sp';
const CERT_CLIENT = 'howto-sp-cert';

describe('HOWTO with a service principal (client secret), on a real API server and the local vault', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  let clientSecret: string;

  before(async () => {
    clientSecret = `canary-client-secret-${process.pid}-${Date.now().toString(36)}`;
    env = await HowtoEnv.start({ principals: [{ clientId: SP_CLIENT, clientSecret }] });
    env.canaries.values.push(clientSecret);
  });
  after(async () => env?.stop());

  it('projects netbox-db-password into netbox-db-credentials, rotates it, keeps it through a vault outage and recovers', async () => {
    await runHowtoFlow(env, {
      prerequisites: () => env.applyCredentialsSecret(SP_CLIENT, clientSecret),
      store: env.howtoStore(),
      outage: 'close',
    });
  });
});

describe('HOWTO with a service principal (client certificate via authSecretRef.clientCertificate)', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  const cert = selfSignedCertificate();

  before(async () => {
    env = await HowtoEnv.start({ principals: [{ clientId: CERT_CLIENT, certificatePem: cert.certPem }] });
  });
  after(async () => env?.stop());

  it('projects, rotates, keeps the Secret through a vault outage and recovers with a certificate credential', async () => {
    await runHowtoFlow(env, {
      prerequisites: async () => {
        await env.k.namespace(HOWTO.credentialsNamespace);
        await env.k.apply([
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'akv-sp-certificate', namespace: HOWTO.credentialsNamespace },
            stringData: { 'tenant-id': env.vault.tenantId, 'client-id': CERT_CLIENT, 'client-certificate': cert.bundlePem },
          } as never,
        ]);
      },
      // ESO's form for a certificate: authSecretRef.clientCertificate replaces the HOWTO's clientSecret.
      store: env.howtoStore((azurekv) => {
        delete azurekv.clientSecret;
        azurekv.tenantId.valueFrom.secretKeyRef.name = 'akv-sp-certificate';
        azurekv.clientId.valueFrom.secretKeyRef.name = 'akv-sp-certificate';
        azurekv.authSecretRef = { clientCertificate: { name: 'akv-sp-certificate', namespace: HOWTO.credentialsNamespace, key: 'client-certificate' } };
      }),
      outage: 'drop',
    });
  });
});
