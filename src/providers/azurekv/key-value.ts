// Pure: the bytes ESO's azurekv provider returns for `key/<name>`: encoding/json.Marshal of the
// key's JSON Web Key as its Go SDK holds it (providers/v1/azure/keyvault/keyvault.go
// getSecretWithLegacySDK, keyvault_new_sdk.go getSecretWithNewSDK: `json.Marshal(resp.Key)`).

/** The JSON Web Key as @azure/keyvault-keys hands it over (binary members decoded from base64url). */
export interface SdkJsonWebKey {
  kid?: string | undefined;
  kty?: string | undefined;
  keyOps?: readonly string[] | undefined;
  n?: Uint8Array | string | undefined;
  e?: Uint8Array | string | undefined;
  d?: Uint8Array | string | undefined;
  dp?: Uint8Array | string | undefined;
  dq?: Uint8Array | string | undefined;
  qi?: Uint8Array | string | undefined;
  p?: Uint8Array | string | undefined;
  q?: Uint8Array | string | undefined;
  k?: Uint8Array | string | undefined;
  t?: Uint8Array | string | undefined;
  crv?: string | undefined;
  x?: Uint8Array | string | undefined;
  y?: Uint8Array | string | undefined;
}

/**
 * Which Go SDK's struct ESO marshals: `legacy` (its default: services/keyvault/v7.0 keyvault.JSONWebKey,
 * fields in struct order, `omitempty` on pointers) or `azure-sdk` (`useAzureSDK: true`:
 * sdk/security/keyvault/azkeys JSONWebKey, whose MarshalJSON builds a map, so members come sorted
 * and empty byte members are dropped).
 */
export type KeyJsonLayout = 'legacy' | 'azure-sdk';

type Member = 'kid' | 'kty' | 'key_ops' | 'n' | 'e' | 'd' | 'dp' | 'dq' | 'qi' | 'p' | 'q' | 'k' | 'key_hsm' | 'crv' | 'x' | 'y';

/** keyvault.JSONWebKey's field order (v7.0 models.go). */
const LEGACY_ORDER: readonly Member[] = ['kid', 'kty', 'key_ops', 'n', 'e', 'd', 'dp', 'dq', 'qi', 'p', 'q', 'k', 'key_hsm', 'crv', 'x', 'y'];

/** Go's encoding/json sorts map keys bytewise. */
const SORTED_ORDER: readonly Member[] = [...LEGACY_ORDER].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

const BINARY: ReadonlySet<Member> = new Set<Member>(['n', 'e', 'd', 'dp', 'dq', 'qi', 'p', 'q', 'k', 'key_hsm', 'x', 'y']);

/** A JSON string as encoding/json writes it: HTML-safe (`<`, `>`, `&` escaped) and U+2028/U+2029 escaped. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function valueOf(key: SdkJsonWebKey, m: Member): Uint8Array | string | readonly string[] | undefined {
  switch (m) {
    case 'key_ops':
      return key.keyOps;
    case 'key_hsm':
      return key.t;
    default:
      return key[m];
  }
}

/**
 * `json.Marshal(key)` as ESO runs it. Binary members are base64url without padding (Key Vault's
 * wire form, kept as-is by the legacy SDK's *string fields and re-encoded identically by azkeys'
 * runtime.EncodeByteArray). Legacy: absent members omitted, empty strings kept (`omitempty` on a
 * pointer), an empty `kty`/`crv` omitted (`omitempty` on a string). azure-sdk: absent and empty
 * binary members omitted, empty strings kept (pointers). An empty `key_ops` array stays `[]` in both.
 */
export function keyJson(key: SdkJsonWebKey, layout: KeyJsonLayout = 'legacy'): string {
  const parts: string[] = [];
  for (const m of layout === 'legacy' ? LEGACY_ORDER : SORTED_ORDER) {
    const v = valueOf(key, m);
    if (v === undefined || v === null) continue;
    if (m === 'key_ops') {
      parts.push(`"key_ops":[${(v as readonly string[]).map(goJsonString).join(',')}]`);
      continue;
    }
    if (BINARY.has(m)) {
      const text = typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('base64url');
      if (text === '' && (layout === 'azure-sdk' || typeof v !== 'string')) continue;
      parts.push(`${goJsonString(m)}:${goJsonString(text)}`);
      continue;
    }
    if (v === '' && layout === 'legacy' && (m === 'kty' || m === 'crv')) continue;
    parts.push(`${goJsonString(m)}:${goJsonString(v as string)}`);
  }
  return `{${parts.join(',')}}`;
}
