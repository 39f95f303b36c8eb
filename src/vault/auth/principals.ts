// The registry of clients the vault knows, and the allow-list rules for what each may touch.
import type { VaultPrincipal } from '../index.ts';

export class PrincipalRegistry {
  readonly #byClientId = new Map<string, VaultPrincipal>();
  readonly #defaultTenantId: string;

  constructor(defaultTenantId: string, principals: VaultPrincipal[] = []) {
    this.#defaultTenantId = defaultTenantId;
    for (const p of principals) this.add(p);
  }

  /** Adds or replaces (by clientId, case-insensitive) a principal. */
  add(p: VaultPrincipal): void {
    this.#byClientId.set(p.clientId.toLowerCase(), { ...p });
  }

  find(tenantId: string, clientId: string): VaultPrincipal | undefined {
    const p = this.#byClientId.get(clientId.toLowerCase());
    return p && tenantOf(p, this.#defaultTenantId).toLowerCase() === tenantId.toLowerCase() ? p : undefined;
  }

  /** The identity IMDS serves: the named one, else the only managed identity (system-assigned). */
  findManagedIdentity(clientId: string | undefined): VaultPrincipal | undefined {
    const managed = [...this.#byClientId.values()].filter((p) => p.managedIdentity);
    if (clientId) return managed.find((p) => p.clientId.toLowerCase() === clientId.toLowerCase());
    return managed.length === 1 ? managed[0] : undefined;
  }

  list(): VaultPrincipal[] {
    return [...this.#byClientId.values()];
  }

  tenantOf(p: VaultPrincipal): string {
    return tenantOf(p, this.#defaultTenantId);
  }
}

function tenantOf(p: VaultPrincipal, defaultTenantId: string): string {
  return p.tenantId ?? defaultTenantId;
}

/** `patterns` absent = everything; '*' = everything; 'prefix-*' = prefix match; otherwise exact (case-insensitive). */
export function isNameAllowed(patterns: string[] | undefined, name: string): boolean {
  if (!patterns) return true;
  const lower = name.toLowerCase();
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('*') ? lower.startsWith(p.slice(0, -1)) : lower === p;
  });
}

/** The three object types of Key Vault's access policies. */
export type ObjectPermissionType = 'secrets' | 'keys' | 'certificates';

/**
 * Whether `p` may read (`get`, `list`) or write (`set`/`create`/`import`, `delete`, `recover`,
 * `purge`) the object `name` of `type`. Secrets use `allowRead`/`allowWrite`; keys and certificates
 * their own lists. A principal with no list at all may do everything (the development principal);
 * one restricted on secrets but silent on keys or certificates may do nothing with them: as in Key
 * Vault, where an access policy's secret permissions grant nothing on keys or certificates.
 */
export function isAllowed(p: VaultPrincipal, type: ObjectPermissionType, op: 'read' | 'write', name: string): boolean {
  if (type === 'secrets') return isNameAllowed(op === 'read' ? p.allowRead : p.allowWrite, name);
  const lists = p[type];
  if (lists === undefined) {
    const unrestricted = p.allowRead === undefined && p.allowWrite === undefined && p.keys === undefined && p.certificates === undefined;
    return unrestricted;
  }
  return isNameAllowed(op === 'read' ? lists.allowRead : lists.allowWrite, name);
}
