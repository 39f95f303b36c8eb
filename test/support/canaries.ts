// Canary values a test seeds into vaults and Secrets, then searches every output for
// (assertNowhere in cluster.ts): each is unique and recorded.

/** `canary(label)` makes a new canary value and records it in `canaries`. */
export function canaryMaker(): { canaries: string[]; canary: (label: string) => string } {
  const canaries: string[] = [];
  const canary = (label: string) => {
    const v = `canary-${label}-${Math.random().toString(36).slice(2, 10)}`;
    canaries.push(v);
    return v;
  };
  return { canaries, canary };
}
