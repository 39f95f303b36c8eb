import type { GenericStore } from '../api/index.ts';
import { ProjectorError } from '../core/errors.ts';
import { unsupportedProvider } from '../core/validate.ts';
import type { Provider } from './provider.ts';

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
