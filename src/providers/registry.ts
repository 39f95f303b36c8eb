import type { GenericStore } from '../api/index.ts';
import { ProjectorError } from '../core/errors.ts';
import type { Issue } from '../core/issues.ts';
import { maintenanceWarnings } from '../core/store-maintenance.ts';
import { configuredProviders, unsupportedProvider } from '../core/validate.ts';
import type { Provider } from './provider.ts';

/**
 * The provider-specific findings on `store` that `projector validate` and the admission webhook
 * report beside core/validate.ts validateSecretStore, for each provider the store configures and
 * `providers` holds: the provider's validateStore, then ESO's maintenance warning for it
 * (core/store-maintenance.ts), in ESO's validateStore order (secretstore_validator.go). A provider
 * not in `providers` adds nothing (validateSecretStore reports it unsupported).
 */
export function providerStoreIssues(providers: readonly Provider[], store: GenericStore): Issue[] {
  return configuredProviders(store.spec?.provider).flatMap((name) => {
    const provider = providers.find((p) => p.name === name);
    return provider ? [...provider.validateStore(store), ...maintenanceWarnings(store, provider.maintenance)] : [];
  });
}

/** An explicit name → Provider map (no registration by import side effect). */
export class ProviderRegistry {
  readonly #providers = new Map<string, Provider>();
  constructor(providers: readonly Provider[]) {
    for (const p of providers) this.#providers.set(p.name, p);
  }
  providers(): Provider[] {
    return [...this.#providers.values()];
  }
  names(): string[] {
    return [...this.#providers.keys()];
  }
  /** The provider selected by the single key under spec.provider. */
  providerFor(store: GenericStore): Provider {
    const keys = Object.keys(store.spec?.provider ?? {});
    const where = `${store.kind} ${store.metadata.namespace ? store.metadata.namespace + '/' : ''}${store.metadata.name}`;
    if (keys.length !== 1) {
      throw new ProjectorError('InvalidSpec', `${where}: spec.provider must name exactly one provider (found ${keys.length})`, { field: 'spec.provider' });
    }
    const p = this.#providers.get(keys[0]!);
    if (!p) {
      throw new ProjectorError('NotSupported', `${where}: ${unsupportedProvider(keys[0]!, this.names())}`, {
        field: `spec.provider.${keys[0]}`,
      });
    }
    return p;
  }
}
