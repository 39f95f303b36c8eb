// `projector evidence`: captures proof that an app's secrets are projected from the vault (HOWTO
// §6.3) and, with --rotation, that a vault rotation reached the Secret without a Git change (§8.4).
// Order: rotation first (before/after metadata), then the snapshot, the files, and the redaction
// check over everything in the folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GenericStore } from '../../api/index.ts';
import type { Sensitive } from '../../core/sensitive.ts';
import type { Logger } from '../../platform/logger.ts';
import type { CredentialEnvironment } from '../check/environment-host.ts';
import { applyStoreOverrides, type StoreOverrides } from '../check/store-overrides.ts';
import type { EvidenceCluster, KubeObject } from './cluster-reader.ts';
import { findLeaks, needlesOf, readFolder, type Leak } from './redaction.ts';
import {
  externalSecretFileName,
  hasSecretChanged,
  isRotationProven,
  renderEvents,
  renderReadme,
  renderRotation,
  renderSecretMetadata,
  renderStores,
  renderYaml,
  secretMetadataFileName,
  type RotationEvidence,
  type RotationRecord,
} from './render.ts';
import { eventLines, externalSecretEvidence, selectAppExternalSecrets, storeEvidence, storeLabel, storesOf, targetNameOf, type EvidenceSnapshot, type StoreRefId } from './snapshot.ts';
import { newRandomValue, writeVaultSecret, type VaultWrite } from './vault-writer.ts';

export interface RotationOptions {
  /** Write a new value to this vault secret; without it, wait for someone else to rotate. */
  rotateKey?: string | undefined;
  timeoutMs: number;
  pollMs: number;
  /** Set the force-sync annotation so the operator refreshes now rather than at refreshInterval. */
  forceSync: boolean;
  overrides: StoreOverrides;
  env: CredentialEnvironment;
}

export interface EvidenceOptions {
  app: string;
  namespace: string;
  selector?: string | undefined;
  /** The folder is `<outRoot>/eso-akv-<app>-<date>`. */
  outRoot: string;
  /** YYYY-MM-DD. */
  date: string;
  rotation?: RotationOptions | undefined;
}

export interface EvidenceDeps {
  cluster: EvidenceCluster;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  log: Logger;
  /** Progress lines for people (stderr); names only. */
  note: (line: string) => void;
  writeVault?: (w: VaultWrite) => Promise<string | undefined>;
}

export interface EvidenceResult {
  dir: string;
  files: string[];
  externalSecrets: number;
  ready: number;
  rotation?: { proven: boolean } | undefined;
  leaks: Leak[];
  /** Values too short to search for in the redaction check. */
  unsearched: number;
}

/** Nothing to capture, or an ExternalSecret the rotation needs is missing: a finding (exit 1). */
export class EvidenceFinding extends Error {
  override readonly name = 'EvidenceFinding';
}

export function evidenceDirName(app: string, date: string): string {
  return `eso-akv-${app}-${date}`;
}

export async function runEvidence(opts: EvidenceOptions, deps: EvidenceDeps): Promise<EvidenceResult> {
  const { cluster } = deps;
  const listed = await cluster.listExternalSecrets(opts.namespace, opts.selector);
  const selected = selectAppExternalSecrets(listed, opts.app, opts.namespace, opts.selector !== undefined);
  if (selected.length === 0) {
    throw new EvidenceFinding(`no ExternalSecret of app ${opts.app} in namespace ${opts.namespace}${opts.selector ? ` matching ${opts.selector}` : ''}`);
  }
  // Every Secret read goes here: its values are searched for in the written files, then dropped.
  const secretsSeen: KubeObject[] = [];
  const extraValues: { text: string; what: string }[] = [];
  const rotation = opts.rotation ? await captureRotation(opts, opts.rotation, selected, deps, secretsSeen, extraValues) : undefined;

  const current = opts.rotation ? selectAppExternalSecrets(await cluster.listExternalSecrets(opts.namespace, opts.selector), opts.app, opts.namespace, opts.selector !== undefined) : selected;
  const snapshot = await captureSnapshot(opts, current, deps, secretsSeen);
  const dir = join(opts.outRoot, evidenceDirName(opts.app, opts.date));
  const files = await writeEvidence(dir, snapshot, rotation);

  const { needles, skipped } = needlesOf(secretsSeen, extraValues);
  const leaks = findLeaks(await readFolder(dir), needles);
  return {
    dir,
    files,
    externalSecrets: snapshot.externalSecrets.length,
    ready: snapshot.externalSecrets.filter((e) => e.ready.status === 'True').length,
    rotation: rotation ? { proven: isRotationProven(rotation) } : undefined,
    leaks,
    unsearched: skipped,
  };
}

async function captureSnapshot(opts: EvidenceOptions, selected: KubeObject[], deps: EvidenceDeps, secretsSeen: KubeObject[]): Promise<EvidenceSnapshot> {
  const { cluster } = deps;
  const externalSecrets = [];
  for (const es of selected) {
    const secret = await cluster.getSecret(es.metadata.namespace ?? opts.namespace, targetNameOf(es));
    if (secret) secretsSeen.push(secret);
    externalSecrets.push(externalSecretEvidence(es, secret));
  }
  const storeIds = new Map<string, StoreRefId>();
  for (const es of externalSecrets) for (const s of es.stores) storeIds.set(storeLabel(s), s);
  const stores = [];
  for (const id of storeIds.values()) stores.push(storeEvidence(id, await cluster.getStore(id.kind, id.name, id.namespace)));
  const events = eventLines(
    await cluster.listEvents(opts.namespace),
    externalSecrets.map((e) => e.name),
    externalSecrets.map((e) => e.targetName),
  );
  return { app: opts.app, namespace: opts.namespace, server: cluster.server, capturedAt: deps.now().toISOString(), externalSecrets, stores, events };
}

async function writeEvidence(dir: string, snapshot: EvidenceSnapshot, rotation: RotationEvidence | undefined): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = new Map<string, string>();
  for (const es of snapshot.externalSecrets) {
    files.set(externalSecretFileName(es.name), renderYaml(es.object));
    if (es.secret) files.set(secretMetadataFileName(es.secret.name), renderSecretMetadata(es.secret));
  }
  files.set('stores.yaml', renderStores(snapshot.stores));
  files.set('events.txt', renderEvents(snapshot.events, `the ExternalSecrets of ${snapshot.app} and their Secrets in namespace ${snapshot.namespace}`));
  if (rotation) files.set('rotation.md', renderRotation(rotation, snapshot.app));
  files.set('README.md', renderReadme({ snapshot, files: [...files.keys()], rotation }));
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return [...files.keys()];
}

// --- rotation -----------------------------------------------------------------------------------

interface Watched {
  es: KubeObject;
  before: RotationRecord['before'];
}

function referencesKey(es: KubeObject, key: string): boolean {
  const spec = (es as { spec?: { data?: { remoteRef?: { key?: string } }[]; dataFrom?: { extract?: { key?: string } }[] } }).spec ?? {};
  return (spec.data ?? []).some((d) => d?.remoteRef?.key === key) || (spec.dataFrom ?? []).some((d) => d?.extract?.key === key);
}

/** The store behind the reference to `key` (the item's sourceRef, else the ExternalSecret's store). */
function storeForKey(es: KubeObject, key: string): StoreRefId | undefined {
  const spec = (es as { spec?: { data?: { remoteRef?: { key?: string }; sourceRef?: { storeRef?: { kind?: string; name: string } } }[] } }).spec ?? {};
  const item = (spec.data ?? []).find((d) => d?.remoteRef?.key === key);
  const ref = item?.sourceRef?.storeRef;
  if (ref?.name) return ref.kind === 'ClusterSecretStore' ? { kind: 'ClusterSecretStore', name: ref.name } : { kind: 'SecretStore', name: ref.name, namespace: es.metadata.namespace };
  return storesOf(es)[0];
}

async function stateOf(cluster: EvidenceCluster, es: KubeObject, namespace: string, secretsSeen: KubeObject[]): Promise<RotationRecord['before']> {
  const secret = await cluster.getSecret(es.metadata.namespace ?? namespace, targetNameOf(es));
  if (secret) secretsSeen.push(secret);
  const meta = (secret?.metadata ?? {}) as { resourceVersion?: string; annotations?: Record<string, string> };
  return { resourceVersion: meta.resourceVersion, dataHash: meta.annotations?.['reconcile.external-secrets.io/data-hash'], generation: es.metadata.generation as number | undefined };
}

async function captureRotation(
  opts: EvidenceOptions,
  r: RotationOptions,
  selected: KubeObject[],
  deps: EvidenceDeps,
  secretsSeen: KubeObject[],
  extraValues: { text: string; what: string }[],
): Promise<RotationEvidence> {
  const { cluster } = deps;
  const targets = r.rotateKey ? selected.filter((es) => referencesKey(es, r.rotateKey!)) : selected;
  if (targets.length === 0) throw new EvidenceFinding(`no ExternalSecret of app ${opts.app} references vault secret ${r.rotateKey}`);
  const watched: Watched[] = [];
  for (const es of targets) watched.push({ es, before: await stateOf(cluster, es, opts.namespace, secretsSeen) });
  const startedAt = deps.now();

  if (r.rotateKey) {
    const value = newRandomValue();
    extraValues.push({ text: value.reveal(), what: `the new value of vault secret ${r.rotateKey}` });
    await rotateInVault(r, r.rotateKey, value, targets[0]!, deps);
    deps.note(`evidence: wrote a new value to vault secret ${r.rotateKey}`);
  }
  if (r.forceSync) {
    for (const w of watched) await cluster.annotateExternalSecret(w.es.metadata.namespace ?? opts.namespace, w.es.metadata.name, { 'force-sync': startedAt.toISOString() });
  }

  deps.note(`evidence: waiting up to ${Math.round(r.timeoutMs / 1000)} s for ${watched.length === 1 ? 'the Secret' : `${watched.length} Secrets`} to change`);
  const records = await waitForChange(watched, r, opts, deps, secretsSeen, startedAt.getTime());
  return {
    mode: r.rotateKey ? 'vault' : 'wait',
    rotateKey: r.rotateKey,
    forceSync: r.forceSync,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.now().toISOString(),
    timeoutMs: r.timeoutMs,
    records,
  };
}

async function rotateInVault(r: RotationOptions, key: string, value: Sensitive<string>, es: KubeObject, deps: EvidenceDeps): Promise<void> {
  const id = storeForKey(es, key);
  if (!id) throw new EvidenceFinding(`ExternalSecret ${es.metadata.name} names no store for vault secret ${key}`);
  const store = await deps.cluster.getStore(id.kind, id.name, id.namespace);
  if (!store) throw new EvidenceFinding(`${id.kind} ${id.name} used by ExternalSecret ${es.metadata.name} does not exist`);
  const write = deps.writeVault ?? writeVaultSecret;
  await write({ store: applyStoreOverrides(store as unknown as GenericStore, r.overrides), secretName: key, value, env: r.env, log: deps.log, signal: AbortSignal.timeout(60_000) });
}

/**
 * Polls the watched Secrets. After our own write every one must change; when waiting for someone
 * else, the first Secrets to change are the ones recorded (an app may rotate one secret at a time).
 */
async function waitForChange(watched: Watched[], r: RotationOptions, opts: EvidenceOptions, deps: EvidenceDeps, secretsSeen: KubeObject[], startedMs: number): Promise<RotationRecord[]> {
  for (;;) {
    const listed = await deps.cluster.listExternalSecrets(opts.namespace, opts.selector);
    const records: RotationRecord[] = [];
    for (const w of watched) {
      const es = listed.find((x) => x.metadata.name === w.es.metadata.name) ?? w.es;
      records.push({ externalSecret: es.metadata.name, secret: targetNameOf(es), before: w.before, after: await stateOf(deps.cluster, es, opts.namespace, secretsSeen) });
    }
    const changed = records.filter(hasSecretChanged);
    const done = r.rotateKey ? changed.length === records.length : changed.length > 0;
    if (done) return r.rotateKey ? records : changed;
    if (deps.now().getTime() - startedMs >= r.timeoutMs) return records;
    await deps.sleep(r.pollMs);
  }
}
