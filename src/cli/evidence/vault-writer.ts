// `--rotate-key`: writes a new random value to one vault secret with the store's identity, taken
// from the environment as `projector check` does. The value is generated here, written once and
// kept only for the redaction check; it is never printed.
import { randomBytes } from 'node:crypto';
import type { GenericStore } from '../../api/index.ts';
import { ProjectorError } from '../../core/errors.ts';
import { Sensitive } from '../../core/sensitive.ts';
import type { Logger } from '../../platform/logger.ts';
import { createStoreCredential } from '../../providers/azurekv/auth.ts';
import { defaultTransport } from '../../providers/azurekv/http-client.ts';
import { toProjectorError } from '../../providers/azurekv/errors.ts';
import { resolveStoreConfig } from '../../providers/azurekv/store-config.ts';
import { resolveTrust, sdkTlsOptions } from '../../providers/azurekv/trust.ts';
import { environmentHost, missingVariables, requiredRoles, type CredentialEnvironment } from '../check/environment-host.ts';
import { CheckUsageError } from '../check/store-overrides.ts';
import { issueText } from '../../core/issues.ts';

export function newRandomValue(): Sensitive<string> {
  return new Sensitive(randomBytes(24).toString('base64url'));
}

export interface VaultWrite {
  store: GenericStore;
  secretName: string;
  value: Sensitive<string>;
  env: CredentialEnvironment;
  log: Logger;
  signal: AbortSignal;
}

/** Returns the new version id. */
export async function writeVaultSecret(w: VaultWrite): Promise<string | undefined> {
  const where = `${w.store.kind} ${w.store.metadata.name}`;
  if (!w.store.spec?.provider?.azurekv) throw new CheckUsageError(`--rotate-key writes to Azure Key Vault, but ${where} is not an azurekv store`);
  const { config, issues } = resolveStoreConfig(w.store);
  const first = issues.find((i) => i.severity === 'error');
  if (!config || first) throw new ProjectorError('InvalidSpec', `${where}: ${first ? issueText(first) : 'spec.provider.azurekv is missing'}`);
  const missing = missingVariables(requiredRoles(config), w.env);
  if (missing.length > 0) throw new CheckUsageError(`store credentials come from the environment: ${where} needs ${missing.join(', ')}`);
  const host = environmentHost({ store: w.store, config, env: w.env, log: w.log });
  try {
    const transport = await defaultTransport(sdkTlsOptions(await resolveTrust(config, host, w.signal)));
    const { credential } = await createStoreCredential(config, host, transport, w.signal);
    // Imported here, not at the top: every CLI command (the operator too) loads this module.
    const { SecretClient } = await import('@azure/keyvault-secrets');
    const client = new SecretClient(config.vaultUrl, credential, { ...transport, disableChallengeResourceVerification: config.disableChallengeResourceVerification });
    const written = await client.setSecret(w.secretName, w.value.reveal(), { abortSignal: w.signal });
    return written.properties.version;
  } catch (e) {
    throw toProjectorError(e, { vaultUrl: config.vaultUrl, secretName: w.secretName });
  }
}
