// The operator's randomness for generators: node:crypto's CSPRNG. randomInt draws without modulo
// bias (rejection sampling), as Go's crypto/rand.Int that go-password uses; randomBytes is the
// source google/uuid's New reads. Math.random would make generated passwords predictable.
import { randomBytes, randomInt } from 'node:crypto';

export interface CryptoRandom {
  int(n: number): number;
  bytes(n: number): Uint8Array;
}

export const cryptoRandom: CryptoRandom = {
  int: (n) => randomInt(n),
  bytes: (n) => new Uint8Array(randomBytes(n)),
};
