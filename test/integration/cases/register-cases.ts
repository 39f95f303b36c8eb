// Registers every case a provider can serve under node:test, one namespace per case, and ends with
// the canary leak check over everything the operator and cluster exposed.
import { after, before, describe, it } from 'node:test';
import { assertNowhere, type Cluster } from '../../support/cluster.ts';
import { ALL_CASES } from './cases.ts';
import type { Capability, VaultSide } from './case.ts';

export interface CaseWorld {
  k: Cluster;
  vault: VaultSide;
  storeName: string;
  /** Logs that must not carry values (operator, vault). */
  logs(): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * `capabilities` is passed up front (not read from the world) because node:test needs the list of
 * tests before `start` runs.
 */
export function registerCases(provider: string, capabilities: Capability[], start: () => Promise<CaseWorld>): void {
  describe(`shared cases with the ${provider} provider on a real API server`, { timeout: 600_000 }, () => {
    let world: CaseWorld;
    const canaries: string[] = [];
    const namespaces: string[] = [];
    const run = `${process.pid}-${Date.now().toString(36)}`;

    before(async () => {
      world = await start();
    });
    after(async () => {
      try {
        if (world) assertNowhere(canaries, { ...world.logs(), 'statuses and events': await world.k.observableText(namespaces) });
      } finally {
        await world?.stop();
      }
    });

    const served = ALL_CASES.filter((c) => (c.needs ?? []).every((n) => capabilities.includes(n)));
    served.forEach((c, i) => {
      it(c.title, async () => {
        const namespace = `case-${i}`;
        namespaces.push(namespace);
        await world.k.namespace(namespace);
        await c.run({
          k: world.k,
          vault: world.vault,
          namespace,
          storeName: world.storeName,
          canary: (label) => {
            const v = `canary-${label}-${run}-${Math.random().toString(36).slice(2, 8)}`;
            canaries.push(v);
            return v;
          },
        });
      });
    });
  });
}
