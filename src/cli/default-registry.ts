import type { Clock } from '../platform/clock.ts';
import { VaultRateLimiter, type VaultReadObserver } from '../sync/rate-limit.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import { fakeProvider } from '../providers/fake/index.ts';
import { createAzureKeyVaultProvider } from '../providers/azurekv/index.ts';

/**
 * The providers this build of Projector ships. With a clock, Azure Key Vault reads share one
 * per-vault budget (AKV's 4,000 reads per 10 s) and pause the vault on a 429's Retry-After;
 * `observer` counts the waits and 429s (OperatorMetrics.vault).
 */
export function defaultRegistry(clock?: Clock, observer?: VaultReadObserver): ProviderRegistry {
  const limiter = clock ? new VaultRateLimiter({ clock, ...(observer ? { observer } : {}) }) : undefined;
  return new ProviderRegistry([createAzureKeyVaultProvider({ limiter }), fakeProvider]);
}
