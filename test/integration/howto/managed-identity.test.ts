// The HOWTO end to end with a managed identity: the operator process's IMDS calls are redirected to
// the local vault's IMDS listener, as AKS pod identity does with AZURE_POD_IDENTITY_AUTHORITY_HOST.
import { after, before, describe, it } from 'node:test';
import { HowtoEnv } from './howto-env.ts';
import { runHowtoFlow } from './howto-flow.ts';

const MI_CLIENT = 'howto-managed-identity';

describe('HOWTO with a managed identity (IMDS), on a real API server and the local vault', { timeout: 600_000 }, () => {
  let env: HowtoEnv;
  const previous = process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];

  before(async () => {
    env = await HowtoEnv.start({
      principals: [{ clientId: MI_CLIENT, managedIdentity: true }],
      // The SDK reads this when the credential is created, i.e. in the operator: set it before it starts.
      beforeOperator: (vault) => {
        process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = vault.imdsEndpoint;
      },
    });
  });
  after(async () => {
    if (previous === undefined) delete process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];
    else process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = previous;
    await env?.stop();
  });

  it('projects, rotates, keeps the Secret through a vault outage and recovers with no credentials Secret at all', async () => {
    await runHowtoFlow(env, {
      // No akv-sp-credentials: the identity is the node's (ESO's authType ManagedIdentity + identityId).
      store: env.howtoStore((azurekv) => {
        azurekv.authType = 'ManagedIdentity';
        azurekv.identityId = MI_CLIENT;
        delete azurekv.tenantId;
        delete azurekv.clientId;
        delete azurekv.clientSecret;
      }),
      outage: 'close',
    });
  });
});
