// Go's shortest float formatting (strconv.FormatFloat(f, 'g', -1, 64), which is also fmt's %v of a
// float64), shared by the YAML emitter of the template engine and the generic-target content hash
// (core/hash.ts goValueHash), which must not load the template engine.

/** strconv.FormatFloat(f, 'g', -1, 64): shortest digits; exponent form below 1e-4 and from 1e+06. */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expText] = Math.abs(f).toExponential().split('e') as [string, string];
  return layoutShortestG(f < 0, mant.replace('.', ''), Number(expText));
}

/**
 * strconv's %g layout of shortest digits `d1d2…` × 10^exp (formatDigits with shortest precision):
 * exponent form below 1e-4 and from 1e+06 (`1.5e+06`, two-digit exponent at least), plain otherwise.
 */
export function layoutShortestG(negative: boolean, digits: string, exp: number): string {
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
