// Provider-agnostic integration cases (ESO's e2e `common/` pattern): each case drives the operator on
// a real API server through a VaultSide, so the same story runs against the fake provider and azurekv.
import type { Cluster } from '../../support/cluster.ts';

/** How a case changes what the provider serves. */
export interface VaultSide {
  readonly provider: string;
  setSecret(key: string, value: string): Promise<void>;
  deleteSecret(key: string): Promise<void>;
  /** The next `count` reads of `key` fail with `status`. Absent when the provider cannot fail on demand. */
  failNext?(status: number, count: number, key: string): void;
}

export interface CaseContext {
  k: Cluster;
  vault: VaultSide;
  /** A fresh namespace for this case. */
  namespace: string;
  /** The ClusterSecretStore that serves `vault`. */
  storeName: string;
  /** A unique value registered for the leak check. */
  canary(label: string): string;
}

export type Capability = 'failNext';

export interface Case {
  title: string;
  /** Capabilities of VaultSide this case needs; a runner registers only the cases it can serve. */
  needs?: Capability[];
  run(ctx: CaseContext): Promise<void>;
}
