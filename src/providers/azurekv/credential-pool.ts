// One TokenCredential for the stores whose service principal is the same: same authority, tenant,
// client and secret (or certificate), trusted through the same CA set. A
// cluster often has one SecretStore per namespace, each with its own copy of one service principal's
// Secret; without sharing, every store asks Entra ID for its own token (MSAL's cache lives inside
// one credential), and every store check and its client pay for a credential, an authority
// metadata read and a token request. Entra ID would issue the same token to each of them.
import { createHash } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { ObjectIds } from './sdk-client-pool.ts';
import { raceAbort } from './shared-call.ts';

type Make = () => TokenCredential;

/** What CredentialPool.get gives: the shared credential, and the one behind it now. */
export interface PooledCredential {
  /**
   * One object per identity for as long as any client holds it: SDK clients are built on it
   * (sdk-client-pool.ts keys them by it), so a newer credential behind it (a store check's) leaves
   * them, their pipelines and the vault's challenge they learned, in place.
   */
  credential: TokenCredential;
  /**
   * The credential behind `credential` now, made at most `maxAgeMs` ago when that was asked: a
   * store check asks it for a token, since an SDK client's pipeline keeps the token it has.
   */
  current: TokenCredential;
}

/**
 * Shares credentials by identity. Entries hold their credential weakly: a credential lives while a
 * SecretClient (a store's client) holds it, and the entry is dropped when it has been collected,
 * so a rotated client secret (a new key) leaves nothing behind once the old clients are replaced.
 */
export class CredentialPool {
  readonly #nowMs: () => number;
  readonly #entries = new Map<string, WeakRef<SharedCredential>>();
  readonly #collected = new FinalizationRegistry<string>((key) => {
    if (this.#entries.get(key)?.deref() === undefined) this.#entries.delete(key);
  });
  readonly #contextIds = new ObjectIds();

  /** `nowMs`: the clock, in milliseconds, that `maxAgeMs` is measured with. */
  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  /**
   * The credential for `identity` (every input that changes the token, secrets included: they are
   * hashed, never kept as text), trusted through `trust` (the transport's SecureContext, compared
   * by identity; undefined: Node's default roots). The shared credential forwards token requests to
   * the one made with `make` most recently: when none is shared yet, or when the one behind it was
   * made more than `maxAgeMs` ago (a store check: Entra ID is asked again, with a new MSAL cache,
   * and every client of the identity then takes its tokens from the new one). Concurrent token
   * requests for the same scopes share one call to Entra ID.
   */
  get(identity: readonly string[], trust: object | undefined, make: Make, maxAgeMs?: number): PooledCredential {
    const key = this.#key(identity, trust);
    const now = this.#nowMs();
    let shared = this.#entries.get(key)?.deref();
    if (!shared) {
      shared = new SharedCredential(singleFlight(make()), now);
      this.#entries.set(key, new WeakRef(shared));
      this.#collected.register(shared, key);
    } else if (maxAgeMs !== undefined && now - shared.madeAtMs > maxAgeMs) {
      shared.replace(singleFlight(make()), now);
    }
    return { credential: shared, current: shared.current };
  }

  /** Live entries (tests). */
  get size(): number {
    return [...this.#entries.values()].filter((e) => e.deref() !== undefined).length;
  }

  #key(identity: readonly string[], trust: object | undefined): string {
    return createHash('sha256').update(JSON.stringify([this.#contextIds.of(trust), ...identity])).digest('hex');
  }
}

/** A pool entry: the newest credential of one identity, and when it was made (ms). */
class SharedCredential implements TokenCredential {
  #current: TokenCredential;
  #madeAtMs: number;

  constructor(current: TokenCredential, madeAtMs: number) {
    this.#current = current;
    this.#madeAtMs = madeAtMs;
  }

  get current(): TokenCredential {
    return this.#current;
  }

  get madeAtMs(): number {
    return this.#madeAtMs;
  }

  /** From now on tokens come from `next`; requests already made to the older one finish there. */
  replace(next: TokenCredential, madeAtMs: number): void {
    this.#current = next;
    this.#madeAtMs = madeAtMs;
  }

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    return this.#current.getToken(scopes, options);
  }
}

/**
 * Concurrent getToken calls with the same scopes and options (other than the abort signal) share
 * one call: MSAL looks in its cache before asking Entra ID but does not join requests already in
 * flight, so a hundred store checks at start would ask for a hundred tokens. Each caller still
 * stops waiting when its own signal aborts.
 */
function singleFlight(inner: TokenCredential): TokenCredential {
  const inFlight = new Map<string, Promise<AccessToken | null>>();
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const { abortSignal, tracingOptions: _tracing, ...rest } = options ?? {};
      const key = JSON.stringify([scopes, rest]);
      let shared = inFlight.get(key);
      if (!shared) {
        shared = inner.getToken(scopes, rest).finally(() => inFlight.delete(key));
        // Every caller may have stopped waiting (an already aborted signal returns at once): a
        // failure nobody awaits must not become an unhandled rejection, which ends the process.
        shared.catch(() => undefined);
        inFlight.set(key, shared);
      }
      return abortSignal ? raceAbort(shared, abortSignal) : shared;
    },
  };
}
