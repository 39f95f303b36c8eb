import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStd, decodeURL } from '../../../src/core/go-base64.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import { Sensitive } from '../../../src/core/sensitive.ts';
import { decodeValue } from '../../../src/core/transform.ts';

type GoResult = string | { errAt: number };

/**
 * Expected values computed with Go 1.26 `encoding/base64`: `StdEncoding.DecodeString` (std) and
 * `URLEncoding.DecodeString` (url); bytes in hex, or the offset of the `CorruptInputError`
 * ("illegal base64 data at input byte N"). ESO's decodingStrategy calls exactly these
 * (runtime/decoding/decoding.go): Base64 → std, Base64URL → url, Auto → std, else url, else the value.
 */
const GO_BASE64: readonly { in: string | Uint8Array; std: GoResult; url: GoResult }[] = [
  { in: 'dbuser', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'ZGJ1c2Vy', std: '646275736572', url: '646275736572' },
  { in: 'ZGJ1c2Vy\n', std: '646275736572', url: '646275736572' },
  { in: 'ZGJ1\nc2Vy', std: '646275736572', url: '646275736572' },
  { in: ' ZGJ1c2Vy ', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: 'YQ', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: 'YQ==', std: '61', url: '61' },
  { in: 'YQ=', std: { errAt: 3 }, url: { errAt: 3 } },
  { in: 'Y Q==', std: { errAt: 1 }, url: { errAt: 1 } },
  { in: 'YQ==\n', std: '61', url: '61' },
  { in: '\nYQ==', std: '61', url: '61' },
  { in: 'Y\r\nQ=\n=', std: '61', url: '61' },
  { in: 'YQ=\n', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'YQ=\r\n', std: { errAt: 5 }, url: { errAt: 5 } },
  { in: 'YQ\n', std: { errAt: 1 }, url: { errAt: 1 } },
  { in: 'YQ\t==', std: { errAt: 2 }, url: { errAt: 2 } },
  { in: ' YQ==', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: 'YQ== ', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: '-_8=', std: { errAt: 0 }, url: 'fbff' },
  { in: '+/8=', std: 'fbff', url: { errAt: 0 } },
  { in: '_-8=', std: { errAt: 0 }, url: 'ffef' },
  { in: '8J+Ygg==', std: 'f09f9882', url: { errAt: 2 } },
  { in: '/u3+7QAAAAI=', std: 'feedfeed00000002', url: { errAt: 0 } },
  { in: '====', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: '=', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: 'Y===', std: { errAt: 1 }, url: { errAt: 1 } },
  { in: 'YQ===', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'YQ=a', std: { errAt: 2 }, url: { errAt: 2 } },
  { in: '', std: '', url: '' },
  { in: '\n', std: '', url: '' },
  { in: 'A', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: 'YWJj', std: '616263', url: '616263' },
  { in: 'YWJjZA', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'YWJjZA=', std: { errAt: 7 }, url: { errAt: 7 } },
  { in: 'YWJjZA=\n', std: { errAt: 8 }, url: { errAt: 8 } },
  // Non-zero bits after the last byte: Go's (non-strict) default accepts them.
  { in: 'YR==', std: '61', url: '61' },
  { in: 'YWJ=', std: '6162', url: '6162' },
  // Trailing garbage after the padding.
  { in: 'YQ==YQ==', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'YQ==x', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'YWJjZA==YQ', std: { errAt: 8 }, url: { errAt: 8 } },
  // Non-ASCII: offsets count bytes (é is two).
  { in: 'YQ==é', std: { errAt: 4 }, url: { errAt: 4 } },
  { in: 'é', std: { errAt: 0 }, url: { errAt: 0 } },
  { in: Uint8Array.of(0xff, 0xfe), std: { errAt: 0 }, url: { errAt: 0 } },
];

function bytesOf(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? new Uint8Array(Buffer.from(input, 'utf8')) : input;
}

function label(input: string | Uint8Array): string {
  return typeof input === 'string' ? JSON.stringify(input) : `bytes ${Buffer.from(input).toString('hex')}`;
}

function asGo(r: ReturnType<typeof decodeStd>): GoResult {
  return r.ok ? Buffer.from(r.bytes).toString('hex') : { errAt: r.offset };
}

function decodeWith(strategy: 'Auto' | 'Base64' | 'Base64URL', input: Uint8Array): GoResult {
  try {
    return Buffer.from(decodeValue(new Sensitive(input), strategy, 'spec.data[0].remoteRef').reveal()).toString('hex');
  } catch (e) {
    assert.ok(e instanceof ProjectorError);
    const m = /illegal base64 data at input byte (\d+)$/.exec(e.message);
    assert.ok(m, e.message);
    return { errAt: Number(m[1]) };
  }
}

describe("base64 is decoded with Go's encoding/base64 rules", () => {
  for (const row of GO_BASE64) {
    it(`${label(row.in)}: StdEncoding ${JSON.stringify(row.std)}, URLEncoding ${JSON.stringify(row.url)}`, () => {
      assert.deepEqual(asGo(decodeStd(bytesOf(row.in))), row.std);
      assert.deepEqual(asGo(decodeURL(bytesOf(row.in))), row.url);
    });
  }

  it("reports Go's error text", () => {
    const r = decodeStd(bytesOf('YQ='));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.message, 'illegal base64 data at input byte 3');
  });
});

describe('decodingStrategy follows ESO (Base64 = StdEncoding, Base64URL = URLEncoding, Auto = either or the value)', () => {
  for (const row of GO_BASE64) {
    const input = bytesOf(row.in);
    const auto = typeof row.std === 'string' ? row.std : typeof row.url === 'string' ? row.url : Buffer.from(input).toString('hex');
    it(`${label(row.in)}: Base64 ${JSON.stringify(row.std)}, Base64URL ${JSON.stringify(row.url)}, Auto ${auto}`, () => {
      assert.deepEqual(decodeWith('Base64', input), row.std);
      assert.deepEqual(decodeWith('Base64URL', input), row.url);
      assert.deepEqual(decodeWith('Auto', input), auto);
    });
  }

  it('Auto keeps a plain value such as "dbuser" unchanged (it is not padded base64)', () => {
    const out = decodeValue(new Sensitive(bytesOf('dbuser')), 'Auto', 'spec.data[0].remoteRef');
    assert.equal(Buffer.from(out.reveal()).toString('utf8'), 'dbuser');
  });

  it('Auto decodes "ZGJ1c2Vy" to "dbuser" and does not trim spaces around it (Go does not)', () => {
    assert.equal(Buffer.from(decodeValue(new Sensitive(bytesOf('ZGJ1c2Vy')), 'Auto', 'f').reveal()).toString(), 'dbuser');
    assert.equal(Buffer.from(decodeValue(new Sensitive(bytesOf(' ZGJ1c2Vy ')), 'Auto', 'f').reveal()).toString(), ' ZGJ1c2Vy ');
  });

  it('None and no strategy keep the value', () => {
    const v = new Sensitive(bytesOf('YQ=='));
    assert.equal(decodeValue(v, 'None', 'f'), v);
    assert.equal(decodeValue(v, undefined, 'f'), v);
  });

  it('names the field, the strategy and the byte offset, never the value', () => {
    assert.throws(
      () => decodeValue(new Sensitive(bytesOf('s3cr3t-value')), 'Base64', 'spec.data[2].remoteRef'),
      (e: unknown) => {
        assert.ok(e instanceof ProjectorError);
        assert.equal(e.code, 'VaultBadValue');
        assert.equal(e.details.field, 'spec.data[2].remoteRef');
        assert.equal(e.message, 'value at spec.data[2].remoteRef is not valid Base64 (decodingStrategy Base64): illegal base64 data at input byte 6');
        return true;
      },
    );
  });
});
