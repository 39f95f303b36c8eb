// The HOWTO end to end with workload identity: the operator mints a service-account token with the
// TokenRequest API on the real API server, and the vault verifies it against that API server's JWKS
// before issuing an access token for the federated principal.
import { after, before, describe, it } from 'node:test';
import { HOWTO, HowtoEnv } from './howto-env.ts';
import { runHowtoFlow } from './howto-flow.ts';

const WI_CLIENT = 'howto-workload-identity';
const SERVICE_ACCOUNT = 'netbox-secrets-reader';

describe('HOWTO with workload identity (serviceAccountRef + TokenRequest), on a real API server and the local vault', { timeout: 600_000 }, () => {
  let env: HowtoEnv;

  before(async () => {
    // The API server's issuer and JWKS exist only once it runs, so the principal is registered after.
    env = await HowtoEnv.start({ principals: [], apiServerJwks: true });
    await env.vault.admin.addPrincipal({
      clientId: WI_CLIENT,
      federated: { issuer: env.cp.serviceAccountIssuer, subject: `system:serviceaccount:${HOWTO.credentialsNamespace}:${SERVICE_ACCOUNT}` },
    });
  });
  after(async () => env?.stop());

  it('projects, rotates, keeps the Secret through a vault outage and recovers with a federated service-account token', async () => {
    await runHowtoFlow(env, {
      prerequisites: async () => {
        await env.k.namespace(HOWTO.credentialsNamespace);
        // The workload identity webhook's annotations name the application and tenant, as in ESO.
        await env.k.apply([
          {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: {
              name: SERVICE_ACCOUNT,
              namespace: HOWTO.credentialsNamespace,
              annotations: { 'azure.workload.identity/client-id': WI_CLIENT, 'azure.workload.identity/tenant-id': env.vault.tenantId },
            },
          } as never,
        ]);
      },
      store: env.howtoStore((azurekv) => {
        azurekv.authType = 'WorkloadIdentity';
        azurekv.serviceAccountRef = { name: SERVICE_ACCOUNT, namespace: HOWTO.credentialsNamespace };
        delete azurekv.tenantId;
        delete azurekv.clientId;
        delete azurekv.clientSecret;
      }),
      outage: 'close',
    });
  });
});
