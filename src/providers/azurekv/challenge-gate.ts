import type { PipelinePolicy, PipelineRequest, PipelineResponse, SendRequest } from '@azure/core-rest-pipeline';

/**
 * A pipeline policy that sends a new SDK client's requests one at a time until one of them has been
 * answered with anything but 401, then lets every request through at once.
 *
 * Why: the Key Vault SDKs' `keyVaultAuthenticationPolicy` (@azure/keyvault-common) learns the
 * token's scope and tenant from the vault's 401 challenge to a first request sent without a token.
 * Every request that starts before that first answer is also sent without a token ("started"
 * state), so ten concurrent reads on a fresh client cost ten 401s and ten retries: measured, 987
 * extra vault requests for 1,000 ExternalSecrets over 100 stores (docs/benchmarks.md, "Fourth
 * pass"). Waiting for the first answer costs the others one round trip once per client.
 *
 * Place it before the authentication policy (a `perCall` additional policy), one instance per SDK
 * client: the challenge state is per client. A 401 (bad credentials) or a transport error leaves
 * the gate closed, so the next request goes alone and meets the challenge itself.
 */
export function challengeGatePolicy(): PipelinePolicy {
  let open = false;
  let inFlight: Promise<void> | undefined;
  return {
    name: 'projectorChallengeGate',
    async sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      while (!open && inFlight) await inFlight;
      if (open) return next(request);
      const answered = next(request);
      inFlight = answered.then(
        (response) => void (open = response.status !== 401),
        () => {},
      ).finally(() => {
        inFlight = undefined;
      });
      return answered;
    },
  };
}
