// One set of Key Vault SDK clients per credential and vault. Stores that share a credential
// (credential-pool.ts: a SecretStore per namespace, each with its own copy of one service
// principal's Secret) and name the same vault would each build a SecretClient of their own, and each
// SecretClient learns the vault's challenge with a request of its own (a 401 answered before the
// first read: challenge-gate.ts) and builds its own pipeline. The clients hold no per-store state:
// everything a request depends on (vault URL, credential, API version, challenge verification, CA
// set, timeouts and retries) is in the key or fixed per provider. A service principal's key is the
// pool's shared credential (credential-pool.ts), which outlives the credentials a store check puts
// behind it: a check does not cost the stores' clients a new SecretClient and challenge.

/**
 * Shares one value per credential object and key. An entry lives as long as its credential: the
 * map is weak on the credential, and the value may hold the credential itself (a WeakMap's value
 * does not keep its key alive), so when the last store client holding them is dropped both go.
 */
export class SdkClientPool<T> {
  readonly #byCredential = new WeakMap<object, Map<string, T>>();
  readonly #trustIds = new ObjectIds();

  /**
   * The value for `credential` and `key` (strings that, with the credential, fix every request the
   * clients send), trusted through `trust` (the transport's TLS settings object, compared by
   * identity; undefined: Node's defaults); made with `make` on first use.
   */
  get(credential: object, key: readonly string[], trust: object | undefined, make: () => T): T {
    let byKey = this.#byCredential.get(credential);
    if (!byKey) this.#byCredential.set(credential, (byKey = new Map()));
    const id = JSON.stringify([this.#trustIds.of(trust), ...key]);
    let value = byKey.get(id);
    if (value === undefined) byKey.set(id, (value = make()));
    return value;
  }
}

/** A small number per object, by identity (0 for undefined), for keys that must tell objects apart. */
export class ObjectIds {
  readonly #ids = new WeakMap<object, number>();
  #next = 1;

  of(o: object | undefined): number {
    if (!o) return 0;
    let id = this.#ids.get(o);
    if (id === undefined) this.#ids.set(o, (id = this.#next++));
    return id;
  }
}
