import { ProviderRegistry } from './registry.ts';
import { fakeProvider } from './fake/index.ts';
import { azureKeyVaultProvider } from './azurekv/index.ts';

/** The providers this build of Projector ships. */
export function defaultRegistry(): ProviderRegistry {
  return new ProviderRegistry([azureKeyVaultProvider, fakeProvider]);
}
