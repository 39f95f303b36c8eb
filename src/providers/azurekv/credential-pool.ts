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

/**
 * Shares credentials by identity. Entries hold their credential weakly: a credential lives while a
 * SecretClient (a store's client) holds it, and the entry is dropped when it has been collected,
 * so a rotated client secret (a new key) leaves nothing behind once the old clients are replaced.
 */
export class CredentialPool {
  readonly #nowMs: () => number;
  readonly #entries = new Map<string, { credential: WeakRef<TokenCredential>; madeAtMs: number }>();
  readonly #collected = new FinalizationRegistry<string>((key) => {
    if (this.#entries.get(key)?.credential.deref() === undefined) this.#entries.delete(key);
  });
  readonly #contextIds = new ObjectIds();

  /** `nowMs`: the clock, in milliseconds, that `maxAgeMs` is measured with. */
  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  /**
   * The credential for `identity` (every input that changes the token, secrets included: they are
   * hashed, never kept as text), trusted through `trust` (the transport's SecureContext, compared
   * by identity; undefined: Node's default roots), made with `make` when none is shared yet, or
   * when the shared one was made more than `maxAgeMs` ago (the new one is shared from then on; the
   * old one serves the clients that hold it). Concurrent token requests for the same scopes share
   * one call to Entra ID.
   */
  get(identity: readonly string[], trust: object | undefined, make: Make, maxAgeMs?: number): TokenCredential {
    const key = this.#key(identity, trust);
    const now = this.#nowMs();
    const entry = this.#entries.get(key);
    const hit = entry?.credential.deref();
    if (hit && (maxAgeMs === undefined || now - entry!.madeAtMs <= maxAgeMs)) return hit;
    const made = singleFlight(make());
    this.#entries.set(key, { credential: new WeakRef(made), madeAtMs: now });
    this.#collected.register(made, key);
    return made;
  }

  /** Live entries (tests). */
  get size(): number {
    return [...this.#entries.values()].filter((e) => e.credential.deref() !== undefined).length;
  }

  #key(identity: readonly string[], trust: object | undefined): string {
    return createHash('sha256').update(JSON.stringify([this.#contextIds.of(trust), ...identity])).digest('hex');
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
