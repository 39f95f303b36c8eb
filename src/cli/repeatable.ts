// Repeatable options that take one value each. Commander's variadic form (`<v...>`) takes every
// following word, so `validate --known-store ClusterSecretStore/x deploy/` read `deploy/` as a
// second store and scanned the current directory instead. A repeatable single-value option stops
// at its value; a comma-separated list in one value is still accepted where a value cannot hold a
// comma of its own.

/** Commander argParser that appends each occurrence; `split` cuts one occurrence into several. */
export function repeatable(split?: (value: string) => string[]): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => [...(previous ?? []), ...(split ? split(value) : [value]).filter((v) => v !== '')];
}

/** `A,B` → [A, B] (store references such as ClusterSecretStore/name hold no comma). */
export const byComma = (value: string): string[] => value.split(',').map((v) => v.trim());

/** `Kind/name=url,Kind/name=url` → two, without cutting a comma inside a URL. */
export const byCommaBeforeStoreKind = (value: string): string[] => value.split(/,(?=\s*(?:Cluster)?SecretStore\/)/i).map((v) => v.trim());
