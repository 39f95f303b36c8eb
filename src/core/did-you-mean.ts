// "Did you mean …?" for a name that is not one of the names a place accepts: a field of a schema
// (validate, dev), a provider under spec.provider (validate, the store reconciler). One rule, so
// every driver suggests the same name for the same slip.
import { closest, distance } from 'fastest-levenshtein';

/**
 * The accepted name an unknown one was most likely meant to be: the same name in another case
 * (`secretstoreref`), else one with two neighbouring letters swapped (`nmae`, `kye`), else the
 * nearest by edit distance (fastest-levenshtein) when it is at most 2 and under half of the name
 * (`refreshIntervall`, `regoin`), so a name that is simply not there gets no guess. Undefined when
 * there is no likely one; `known` empty gives undefined.
 */
export function didYouMean(field: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const sameCase = known.find((k) => k.toLowerCase() === field.toLowerCase());
  if (sameCase) return sameCase;
  // Two neighbouring letters swapped (`nmae`, `kye`) is one slip, though Levenshtein counts it as
  // two edits, which the rule below refuses for a short name.
  const swapped = field.length >= 3 ? known.find((k) => isAdjacentSwap(field, k)) : undefined;
  if (swapped) return swapped;
  const best = closest(field, known as string[]);
  const d = distance(field, best);
  return d <= 2 && d * 2 < field.length ? best : undefined;
}

/** True when `a` is `b` with exactly one pair of neighbouring, different letters swapped. */
function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i >= a.length - 1 || a[i] !== b[i + 1] || a[i + 1] !== b[i]) return false;
  return a.slice(i + 2) === b.slice(i + 2);
}
