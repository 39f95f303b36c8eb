// key/<name> bytes as ESO returns them: json.Marshal of the Go SDK's JSONWebKey. The expected strings
// were printed by a throwaway Go program that unmarshals each Key Vault body into ESO's two structs
// (github.com/Azure/azure-sdk-for-go services/keyvault/v7.0/keyvault.KeyBundle, ESO's default, and
// sdk/security/keyvault/azkeys v1.4.0 KeyBundle, useAzureSDK: true) and runs encoding/json.Marshal on
// `.Key`, as providers/v1/azure/keyvault/keyvault.go getSecretWithLegacySDK and
// keyvault_new_sdk.go getSecretWithNewSDK do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goJsonString, keyJson, type SdkJsonWebKey } from '../../../../src/providers/azurekv/key-value.ts';

/** What @azure/keyvault-keys' jsonWebKeyDeserializer makes of a wire key: binary members decoded from base64url, falsy ones kept. */
function asSdk(wire: Record<string, unknown>): SdkJsonWebKey {
  const bin = (v: unknown) => (typeof v === 'string' && v !== '' ? new Uint8Array(Buffer.from(v, 'base64url')) : (v as string | undefined));
  return {
    kid: wire.kid as string | undefined,
    kty: wire.kty as string | undefined,
    keyOps: wire.key_ops as string[] | undefined,
    n: bin(wire.n), e: bin(wire.e), d: bin(wire.d), dp: bin(wire.dp), dq: bin(wire.dq), qi: bin(wire.qi),
    p: bin(wire.p), q: bin(wire.q), k: bin(wire.k), t: bin(wire.key_hsm),
    crv: wire.crv as string | undefined, x: bin(wire.x), y: bin(wire.y),
  };
}

const RSA = { kid: 'https://v.vault.azure.net/keys/signing/0123456789abcdef0123456789abcdef', kty: 'RSA', key_ops: ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'], n: 'vVw2d2o9RgK0J9Fm_Mx1zQ', e: 'AQAB' };
const EC = { kid: 'https://v.vault.azure.net/keys/ec/00000000000000000000000000000001', kty: 'EC', key_ops: ['sign', 'verify'], crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const ODD = { kid: 'https://v.vault.azure.net/keys/odd/1?a=<b>&c', kty: '', key_ops: [], n: '', e: 'AQAB' };

describe('keyJson (ESO key/<name> bytes)', () => {
  it('writes an RSA key in keyvault.JSONWebKey field order by default (ESO legacy SDK)', () => {
    assert.equal(
      keyJson(asSdk(RSA)),
      '{"kid":"https://v.vault.azure.net/keys/signing/0123456789abcdef0123456789abcdef","kty":"RSA","key_ops":["encrypt","decrypt","sign","verify","wrapKey","unwrapKey"],"n":"vVw2d2o9RgK0J9Fm_Mx1zQ","e":"AQAB"}',
    );
  });

  it('writes an EC key with crv, x, y after key_ops (legacy)', () => {
    assert.equal(
      keyJson(asSdk(EC)),
      '{"kid":"https://v.vault.azure.net/keys/ec/00000000000000000000000000000001","kty":"EC","key_ops":["sign","verify"],"crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}',
    );
  });

  it('sorts members as azkeys does with useAzureSDK', () => {
    assert.equal(
      keyJson(asSdk(RSA), 'azure-sdk'),
      '{"e":"AQAB","key_ops":["encrypt","decrypt","sign","verify","wrapKey","unwrapKey"],"kid":"https://v.vault.azure.net/keys/signing/0123456789abcdef0123456789abcdef","kty":"RSA","n":"vVw2d2o9RgK0J9Fm_Mx1zQ"}',
    );
    assert.equal(
      keyJson(asSdk(EC), 'azure-sdk'),
      '{"crv":"P-256","key_ops":["sign","verify"],"kid":"https://v.vault.azure.net/keys/ec/00000000000000000000000000000001","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}',
    );
  });

  it('follows omitempty per SDK for empty members and escapes as encoding/json does', () => {
    assert.equal(keyJson(asSdk(ODD)), '{"kid":"https://v.vault.azure.net/keys/odd/1?a=\\u003cb\\u003e\\u0026c","key_ops":[],"n":"","e":"AQAB"}');
    assert.equal(keyJson(asSdk(ODD), 'azure-sdk'), '{"e":"AQAB","key_ops":[],"kid":"https://v.vault.azure.net/keys/odd/1?a=\\u003cb\\u003e\\u0026c","kty":""}');
  });

  it('re-encodes binary members as unpadded base64url', () => {
    assert.equal(keyJson({ kty: 'oct', k: new Uint8Array([0xfb, 0xff]) }), '{"kty":"oct","k":"-_8"}');
    assert.equal(goJsonString('a\u2028b'), '"a\\u2028b"');
  });
});
