import { Type, StringMap, type Static } from '../schema-kit.ts';

/** ESO's fake provider: static data held in the store spec (benchmarks, demos, tests). */
export const FakeProvider = Type.Object({
  data: Type.Array(
    Type.Object({
      key: Type.String(),
      // Required, as in ESO's CRD (apis/externalsecrets/v1/secretstore_fake_types.go FakeProviderData).
      value: Type.String(),
      valueMap: Type.Optional(StringMap({ description: 'Not in ESO v2.9 (older releases had it); use a JSON value. When set it is read instead of value.' })),
      version: Type.Optional(Type.String()),
    }),
  ),
  /** ESO's test knob for the store check: 0 Ready (as if absent), 1 Unknown (Ready, reason ValidationUnknown), 2 Error (not Ready). */
  validationResult: Type.Optional(Type.Integer()),
});
export type FakeProvider = Static<typeof FakeProvider>;
