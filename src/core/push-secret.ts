// PushSecret planning, pure: what to push where, what to delete, when to push again, and the status
// to write. The reconciler (controller/pushsecret) reads the objects and calls the provider; this
// module gets values in and returns decisions out (`now` is an argument).
//
// Behaviour follows ESO v2.9's pkg/controllers/pushsecret/pushsecret_controller.go (Reconcile,
// shouldRefresh, statusRef, mergeSecretState, DeleteSecretFromProviders, validateRemoteKeyUniqueness,
// pushSecretEntry, markAsDone/markAsFailed/markAsSourceDeleted) and the Azure provider's
// getSecretKey (providers/v1/azure/keyvault/keyvault.go) for a whole-Secret push.
import type { PushSecret, PushSecretData, PushSecretStatus, SyncedPushSecrets } from '../api/pushsecret.ts';
import { Msg } from '../api/validation-rules.ts';
import { kubeTime, setCondition } from './conditions.ts';
import { parsePushSecretRefreshInterval } from './duration.ts';
import { ProjectorError } from './errors.ts';
import { metaHash } from './hash.ts';
import { issue, type Issue, issueText } from './issues.ts';
import { Sensitive } from './sensitive.ts';
import { utf8SequenceLength } from './go-string.ts';
import { checkLabelSelector } from './validate.ts';
import { dataToIssues, expandDataTo, resolveSourceKeyConflicts, reverseKeys, type PushStoreIdentity } from './push-secret-data-to.ts';
import type { KeyTemplateRenderer } from './transform.ts';

export type SecretBytes = Sensitive<Uint8Array>;

/** ESO's pushSecretFinalizer, verbatim. */
export const PUSH_SECRET_FINALIZER = 'pushsecret.externalsecrets.io/finalizer';

/** ESO's condition reasons (apis/externalsecrets/v1alpha1/pushsecret_types.go), verbatim. */
export const PushReason = { Synced: 'Synced', Errored: 'Errored', SourceDeleted: 'SourceDeleted' } as const;

/** ESO's messages (markAsDone, markAsSourceDeleted, errFailedGetSecret), verbatim. */
export const PushMessage = {
  synced: 'PushSecret synced successfully',
  syncedIfNotExists: 'PushSecret synced successfully. Existing secrets in providers unchanged.',
  sourceDeleted: 'source secret deleted; provider secrets cleaned up',
  sourceNotFound: 'could not get source secret',
} as const;

/**
 * ESO's failure texts of a push, verbatim (pkg/controllers/pushsecret/pushsecret_controller.go:
 * errGetSecretStore, errGetClusterSecretStore, errFailedSetSecret, errSetSecretFailed, the
 * literals of handlePushSecretDataForStore, pushSecretEntry, Reconcile and
 * handleSourceSecretDeleted; pkg/controllers/secretstore/client_manager.go errClusterStoreMismatch
 * and "can not reference unmanaged store"). `cause` is the underlying error's message. The
 * reconciler puts the ProjectorError code before each (`<Code>: …`, docs/design/000-overview.md).
 */
export const PushFailureText = {
  /** GetSecretStores / the store manager's getStore: the API server's NotFound text, as ESO wraps it. */
  storeNotFound: (kind: 'SecretStore' | 'ClusterSecretStore', name: string) =>
    `could not get ${kind} ${JSON.stringify(name)}, ${kind === 'ClusterSecretStore' ? 'clustersecretstores' : 'secretstores'}.external-secrets.io ${JSON.stringify(name)} not found`,
  /** The store manager's Get, by store name when pushing, by `<Kind>/<name>` when deleting. */
  storeClient: (store: string, cause: string) => `could not get secrets client for store ${store}: ${cause}`,
  clusterStoreMismatch: (name: string, namespace: string) => `using cluster store ${JSON.stringify(name)} is not allowed from namespace ${JSON.stringify(namespace)}: denied by spec.condition`,
  unmanagedStore: 'can not reference unmanaged store',
  setSecretFailed: (cause: string) => `set secret failed: ${cause}`,
  writeRemoteRef: (secretKey: string, store: string, cause: string) => `could not write remote ref ${secretKey} to target secretstore ${store}: ${cause}`,
  verifyExists: (cause: string) => `could not verify if secret exists in store: ${cause}`,
  convertKeys: (cause: string) => `could not apply conversion strategy to keys: ${cause}`,
  keyMissing: (secretKey: string) => `secret key ${secretKey} does not exist`,
  mergeEntries: (cause: string) => `failed to merge data entries: ${cause}`,
  deleteFromProviders: (cause: string) => `Failed to Delete Secrets from Provider: ${cause}`,
  cleanupProviders: (cause: string) => `failed to cleanup provider secrets: ${cause}`,
} as const;

/** ESO's default refresh interval for a PushSecret (the CRD default, 1h). */
const DEFAULT_REFRESH_MS = 3_600_000;

/** ESO requeues a PushSecret not yet due this long after its due time (Reconcile: `+ 5*time.Second`). */
const NOT_DUE_SLACK_MS = 5_000;

export function updatePolicyOf(ps: PushSecret): 'Replace' | 'IfNotExists' {
  return ps.spec.updatePolicy ?? 'Replace';
}

export function pushDeletionPolicyOf(ps: PushSecret): 'Delete' | 'None' {
  return ps.spec.deletionPolicy ?? 'None';
}

/**
 * spec.refreshInterval in ms (CRD default 1h), signed: a negative interval is kept (ESO pushes on every
 * reconcile then; core/duration.ts parsePushSecretRefreshInterval); undefined when it does not parse
 * (validation reports it).
 */
export function pushRefreshIntervalMs(ps: PushSecret): number | undefined {
  const text = ps.spec.refreshInterval;
  return text === undefined ? DEFAULT_REFRESH_MS : parsePushSecretRefreshInterval(text);
}

/** ESO's status key of a store: `<Kind>/<name>` (handlePushSecretDataForStore). */
export function pushStoreKey(kind: string | undefined, name: string): string {
  return `${kind ?? 'SecretStore'}/${name}`;
}

/** ESO's statusRef: the remote key, or `remoteKey/property` when a property is set. */
export function statusRefOf(data: PushSecretData): string {
  const { remoteKey, property } = data.match.remoteRef;
  return property ? `${remoteKey}/${property}` : remoteKey;
}

/** ESO's GetResourceVersion: `<generation>-<hash of labels and annotations>` (pkg/controllers/util). */
export function pushSyncVersionOf(ps: PushSecret): string {
  return `${ps.metadata.generation ?? 0}-${metaHash(ps.metadata.labels, ps.metadata.annotations)}`;
}

/**
 * Static checks of a PushSecret (no I/O): used by `projector validate`, `check` and the reconciler,
 * so all judge a manifest alike. Paths are manifest field paths; messages never hold a value.
 * Unimplemented ESO fields are NotSupported (docs/pushsecret.md). spec.dataTo's rules are in
 * core/push-secret-data-to.ts dataToIssues.
 */
export function validatePushSecret(ps: PushSecret): Issue[] {
  return pushSecretIssues(ps, true);
}

/**
 * validatePushSecret's issues; `remoteKeyDuplicates` false leaves out two spec.data items writing
 * one remote key and property, which ESO finds only while pushing (mergeDataEntries) and which the
 * reconciler then reports in ESO's words (planPushItems).
 */
function pushSecretIssues(ps: PushSecret, remoteKeyDuplicates: boolean): Issue[] {
  const out: Issue[] = [];
  const spec = ps.spec;
  if (spec.refreshInterval !== undefined && parsePushSecretRefreshInterval(spec.refreshInterval) === undefined) {
    out.push(issue('spec.refreshInterval', 'InvalidDuration', Msg.refreshInterval));
  }
  const sel = spec.selector ?? {};
  const kinds = [sel.secret && 'secret', sel.generatorRef && 'generatorRef'].filter(Boolean);
  if (kinds.length !== 1) out.push(issue('spec.selector', 'InvalidSpec', 'spec.selector needs exactly one of secret or generatorRef'));
  if (sel.secret) {
    const hasName = !!sel.secret.name;
    const hasSelector = !!sel.secret.selector;
    // ESO resolveSecrets: a name wins over a selector; neither is "no secret selector provided".
    if (!hasName && !hasSelector) out.push(issue('spec.selector.secret', 'InvalidSpec', 'no secret selector provided: set spec.selector.secret.name or .selector'));
    // A selector ESO's LabelSelectorAsSelector refuses fails the reconcile (errFailedGetSecret).
    if (!hasName && hasSelector) out.push(...checkLabelSelector(sel.secret.selector!, 'spec.selector.secret.selector'));
  }
  if ((spec.secretStoreRefs ?? []).length === 0) out.push(issue('spec.secretStoreRefs', 'InvalidSpec', 'spec.secretStoreRefs names no store'));
  (spec.secretStoreRefs ?? []).forEach((ref, i) => {
    const path = `spec.secretStoreRefs[${i}]`;
    // ESO's GetSecretStores: a labelSelector selects the stores (a name beside it is ignored).
    if (ref.labelSelector) out.push(...checkLabelSelector(ref.labelSelector, `${path}.labelSelector`));
    else if (!ref.name) out.push(issue(`${path}.name`, 'InvalidSpec', 'refStore Name must be provided'));
  });
  out.push(...dataToIssues(ps));
  (spec.data ?? []).forEach((d, i) => {
    if (d.match?.remoteRef?.property) out.push(issue(`spec.data[${i}].match.remoteRef.property`, 'PropertyIgnored', PROPERTY_IGNORED, 'warning'));
    if (!d.match?.remoteRef?.remoteKey) out.push(issue(`spec.data[${i}].match.remoteRef.remoteKey`, 'InvalidSpec', 'remoteKey must not be empty'));
  });
  if ((spec.data ?? []).length === 0 && (spec.dataTo ?? []).length === 0) out.push(issue('spec.data', 'InvalidSpec', 'spec.data and spec.dataTo are empty: nothing would be pushed'));
  const dup = duplicateRemoteKey((spec.data ?? []).map((data, i) => ({ data, field: `spec.data[${i}]` })));
  if (dup && (remoteKeyDuplicates || dup.kind === 'property')) out.push(issue(dup.path, 'InvalidSpec', dup.message));
  return out;
}

/**
 * ESO's validateRemoteKeyUniqueness (two items writing one remote key and property: ESO's message),
 * plus the azurekv rule: Key Vault ignores `property` (ESO's Azure PushSecret replaces the whole
 * secret), so two items naming one remote key with different properties would overwrite each other
 * on every sync; refused too. Projector pushes through azurekv only, so the rule applies to every
 * PushSecret.
 */
function duplicateRemoteKey(items: readonly { data: PushSecretData; field: string }[]): { path: string; message: string; kind: 'duplicate' | 'property' } | undefined {
  const seen = new Map<string, { field: string; source: string; property: string }>();
  for (const { data: d, field } of items) {
    const { remoteKey, property } = d.match?.remoteRef ?? { remoteKey: '' };
    const source = d.match?.secretKey ?? '';
    const first = seen.get(remoteKey);
    if (first !== undefined) {
      if (first.property === (property ?? '')) {
        const message = property
          ? `duplicate remote key ${JSON.stringify(remoteKey)} with property ${JSON.stringify(property)}: source keys ${JSON.stringify(first.source)} and ${JSON.stringify(source)} both map to the same destination`
          : `duplicate remote key ${JSON.stringify(remoteKey)}: source keys ${JSON.stringify(first.source)} and ${JSON.stringify(source)} both map to the same destination`;
        return { path: remoteRefPath(field), message, kind: 'duplicate' };
      }
      return {
        kind: 'property',
        path: remoteRefPath(field),
        message: `remote key ${JSON.stringify(remoteKey)} is also written by ${first.field}; they differ only by property, which azurekv ignores (each value replaces the whole Key Vault secret), so they would overwrite each other on every sync`,
      };
    }
    seen.set(remoteKey, { field, source, property: property ?? '' });
  }
  return undefined;
}

/** Where an item's remote key is written: spec.data[i].match.remoteRef, or the spec.dataTo[i] entry. */
function remoteRefPath(field: string): string {
  return field.startsWith('spec.data[') ? `${field}.match.remoteRef` : field;
}

/** The message of the `property` warning (validate and the Ready condition say the same). */
export const PROPERTY_IGNORED = 'property has no effect with azurekv: the value replaces the whole Key Vault secret (as ESO\'s Azure provider does)';

/**
 * The first error of validatePushSecret as the ProjectorError a reconcile fails with, except two
 * spec.data items on one remote key and property: ESO finds those at the push (planPushItems).
 */
export function assertValidPushSecret(ps: PushSecret): void {
  const first = pushSecretIssues(ps, false).find((i) => i.severity === 'error');
  if (first) throw new ProjectorError(first.code === 'NotSupported' ? 'NotSupported' : 'InvalidSpec', issueText(first), { field: first.path });
}

export type PushRefreshReason = 'never-synced' | 'spec-changed' | 'interval-elapsed' | 'source-changed' | 'up-to-date';

/**
 * ESO's shouldRefresh: the PushSecret changed (syncedResourceVersion), never pushed, or its interval
 * elapsed; with refreshInterval 0 it pushes once per change of the PushSecret, with a negative one on
 * every reconcile. Projector adds
 * `source-changed`: the watched source Secret changed since the last push (ESO waits for the
 * interval), except with refreshInterval 0, which promises no push but on a PushSecret change.
 */
export function pushRefreshReason(ps: PushSecret, now: Date, sourceChanged = false): PushRefreshReason {
  const status = ps.status;
  if (status?.syncedResourceVersion !== pushSyncVersionOf(ps)) return status?.syncedResourceVersion ? 'spec-changed' : 'never-synced';
  const interval = pushRefreshIntervalMs(ps) ?? DEFAULT_REFRESH_MS;
  if (interval === 0) return 'up-to-date';
  if (!status.refreshTime) return 'never-synced';
  if (sourceChanged) return 'source-changed';
  // A negative interval is always elapsed (ESO: refreshTime + d is before now): every reconcile pushes.
  if (interval < 0) return 'interval-elapsed';
  return Date.parse(status.refreshTime) + interval < now.getTime() ? 'interval-elapsed' : 'up-to-date';
}

/**
 * When to look again, in ms: after a push, the interval (0: not at all); when not due, ESO's
 * `interval - sinceLastRefresh + 5s`.
 */
export function untilNextPush(ps: PushSecret, now: Date, pushedNow: boolean): number | undefined {
  const interval = pushRefreshIntervalMs(ps) ?? DEFAULT_REFRESH_MS;
  // 0 and a negative interval: no periodic look (ESO's RequeueAfter <= 0 is no requeue).
  if (interval <= 0) return undefined;
  if (pushedNow) return interval;
  const last = ps.status?.refreshTime ? Date.parse(ps.status.refreshTime) : now.getTime();
  return Math.max(0, interval - (now.getTime() - last)) + NOT_DUE_SLACK_MS;
}

/** One value to push: the data item (as ESO records it in status), its statusRef and its bytes. */
export interface PushItem {
  data: PushSecretData;
  statusRef: string;
  /** Where the item is in the manifest, for messages. */
  field: string;
  value: SecretBytes;
}

/** What planPushItems needs beyond the PushSecret and the source data. */
export interface PlanPushOptions {
  /** The store the items go to: the spec.dataTo entries targeting it are expanded. Without it, spec.data only. */
  store?: PushStoreIdentity;
  /** spec.dataTo[].rewrite[].transform (key templates, as ExternalSecret dataFrom rewrite). */
  renderKeyTemplate?: KeyTemplateRenderer;
}

/**
 * The values to push to one store, from the source Secret's data (after the template), as ESO's
 * handlePushSecretDataForStore + pushSecretEntry: the spec.dataTo entries targeting the store
 * expanded (core/push-secret-data-to.ts expandDataTo), merged with spec.data (an explicit item wins
 * a Secret key both push; resolveSourceKeyConflicts), every remote key once (ESO's
 * validateRemoteKeyUniqueness, plus the azurekv property rule of validatePushSecret). Each item's
 * keys are converted by its conversionStrategy (ReverseUnicode: `_U00e9_` → `é`; a collision fails);
 * an item with a secretKey pushes that (converted) key's bytes (ESO: `secret key <k> does not
 * exist` when missing), one without pushes the (converted) Secret whole as JSON (wholeSecretJson),
 * a dataTo bundle only its matched keys.
 * @throws ProjectorError SourceNotFound naming the key; InvalidSpec for conversion, rewrite and
 *   duplicate-destination failures (paths and Secret keys, never values).
 */
export function planPushItems(ps: PushSecret, source: ReadonlyMap<string, SecretBytes>, opts: PlanPushOptions = {}): PushItem[] {
  return planPushItemsInOrder(ps, source, opts).map((item) => {
    if ('failure' in item) throw item.failure;
    return item;
  });
}

/** An item ESO fails on when its turn comes (pushSecretEntry): its conversion or its Secret key. */
export interface PushItemFailure {
  data: PushSecretData;
  field: string;
  failure: ProjectorError;
}

/**
 * planPushItems in ESO's order of failure: what fails the store as a whole (the dataTo expansion,
 * ESO's `failed to expand dataTo: …`, and two items on one destination, `failed to merge data
 * entries: …`) throws before any item; an item whose conversion fails (`could not apply conversion
 * strategy to keys: …`) or whose Secret key is missing (`secret key <k> does not exist`) is
 * returned in its place, so the items before it are pushed first, as ESO's pushSecretEntry loop
 * pushes them. Messages are ESO's (PushFailureText); fields name the manifest.
 */
export function planPushItemsInOrder(ps: PushSecret, source: ReadonlyMap<string, SecretBytes>, opts: PlanPushOptions = {}): (PushItem | PushItemFailure)[] {
  const explicit: { data: PushSecretData; field: string; bundle?: ReadonlyMap<string, SecretBytes> }[] = (ps.spec.data ?? []).map((data, i) => ({ data, field: `spec.data[${i}]` }));
  const expanded = opts.store ? expandDataTo(ps, opts.store, source, opts.renderKeyTemplate) : [];
  const items = expanded.length > 0 ? resolveSourceKeyConflicts(expanded, explicit, source) : explicit;
  const dup = duplicateRemoteKey(items);
  // ESO's validateRemoteKeyUniqueness; the azurekv property rule is Projector's own (InvalidSpec at its field).
  if (dup?.kind === 'duplicate') throw new ProjectorError('InvalidSpec', PushFailureText.mergeEntries(dup.message), { field: dup.path });
  if (dup) throw new ProjectorError('InvalidSpec', issueText(dup), { field: dup.path });
  return items.map(({ data, field, bundle }): PushItem | PushItemFailure => {
    let values: ReadonlyMap<string, SecretBytes>;
    try {
      values = bundle ?? reverseKeys(data.conversionStrategy, source, field);
    } catch (e) {
      if (!(e instanceof ProjectorError)) throw e;
      return { data, field, failure: new ProjectorError(e.code, PushFailureText.convertKeys(e.message), e.details) };
    }
    const key = data.match.secretKey;
    if (key) {
      const value = values.get(key);
      if (!value) return { data, field, failure: new ProjectorError('SourceNotFound', PushFailureText.keyMissing(key), { field: `${field}.match.secretKey` }) };
      return { data, statusRef: statusRefOf(data), field, value };
    }
    return { data, statusRef: statusRefOf(data), field, value: wholeSecretJson(values) };
  });
}

/**
 * A Secret's data as ESO's Azure provider pushes it without a secretKey (getSecretKey): Go's
 * json.Marshal of map[string]string (keys sorted bytewise, each value the Go string of its bytes)
 * through an Encoder with SetEscapeHTML(false) (runtime/esutils JSONMarshal), newline trimmed.
 * Escapes as Go's encoding/json: `\"`, `\\`, `\b \f \n \r \t`, other control bytes `\u00XX`,
 * U+2028/U+2029 as `\u2028`/`\u2029`, and each invalid UTF-8 byte as `\ufffd`.
 */
export function wholeSecretJson(data: ReadonlyMap<string, SecretBytes>): SecretBytes {
  const keys = [...data.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const parts = keys.map((k) => `${goJsonString(Buffer.from(k, 'utf8'))}:${goJsonString(data.get(k)!.reveal())}`);
  return new Sensitive(new Uint8Array(Buffer.from(`{${parts.join(',')}}`, 'utf8')));
}

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/** Go's encoding/json string encoding with escapeHTML false (encode.go appendString). */
function goJsonString(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) {
      out += '\\ufffd';
      i += 1;
      continue;
    }
    const ch = utf8.decode(bytes.subarray(i, i + n));
    i += n;
    const cp = ch.codePointAt(0)!;
    if (SHORT_ESCAPES[cp]) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20) out += `\\u00${cp.toString(16).padStart(2, '0')}`;
    else if (cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16)}`;
    else out += ch;
  }
  return out + '"';
}

const utf8 = new TextDecoder('utf-8');

/**
 * ESO's mergeSecretState (pushsecret_controller.go): a copy of `next` with every entry of `old`
 * inserted over it (Go's maps.Insert), so for an entry both have, `old`'s item wins; `next` absent
 * gives `old`. ESO calls it on failure paths as (pushed now, status before), so the recorded item of
 * an entry stays the one last recorded on success, and in its loop over label-selected Secrets as
 * (merged so far, this Secret's), so the later Secret's item wins.
 */
export function mergeSyncedState(next: SyncedPushSecrets | undefined, old: SyncedPushSecrets | undefined): SyncedPushSecrets {
  if (!next) return { ...(old ?? {}) };
  const out: SyncedPushSecrets = {};
  for (const [store, entries] of Object.entries(next)) out[store] = { ...entries };
  for (const [store, entries] of Object.entries(old ?? {})) out[store] = { ...(out[store] ?? {}), ...entries };
  return out;
}

/** One remote object to delete: where (status store key), which entry and the item ESO recorded. */
export interface PushDeletion {
  storeKey: string;
  statusRef: string;
  data: PushSecretData;
}

/**
 * ESO's DeleteSecretFromProviders: every entry of the old synced map that `next` no longer has
 * (a whole store gone, or an entry gone from a store). With `next` empty: everything (finalizer,
 * source deleted).
 */
export function pushDeletions(old: SyncedPushSecrets | undefined, next: SyncedPushSecrets): PushDeletion[] {
  const out: PushDeletion[] = [];
  for (const [storeKey, entries] of Object.entries(old ?? {})) {
    const kept = next[storeKey];
    for (const [statusRef, data] of Object.entries(entries)) {
      if (!kept || !(statusRef in kept)) out.push({ storeKey, statusRef, data });
    }
  }
  return out;
}

/** Parses ESO's status store key `<Kind>/<name>` back into a store reference. */
export function storeRefOfKey(storeKey: string): { kind: 'SecretStore' | 'ClusterSecretStore'; name: string } {
  const slash = storeKey.indexOf('/');
  const kind = storeKey.slice(0, slash) === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  return { kind, name: storeKey.slice(slash + 1) };
}

/**
 * ESO's markAsDone message, verbatim, followed by validatePushSecret's warnings (path and message,
 * never a value) so a condition shows what `projector validate` would warn about.
 */
export function pushSyncedMessage(ps: PushSecret): string {
  const base = updatePolicyOf(ps) === 'IfNotExists' ? PushMessage.syncedIfNotExists : PushMessage.synced;
  const warnings = validatePushSecret(ps).filter((i) => i.severity === 'warning');
  return warnings.length === 0 ? base : `${base}${base.endsWith('.') ? '' : '.'} Warning: ${warnings.map((w) => `${w.path}: ${w.message}`).join('; ')}`;
}

/** ESO's markAsDone: Ready=True Synced, refreshTime, syncedResourceVersion and the synced map. */
export function pushStatusSynced(ps: PushSecret, synced: SyncedPushSecrets, now: Date): PushSecretStatus {
  const message = pushSyncedMessage(ps);
  return {
    ...ps.status,
    refreshTime: kubeTime(now),
    syncedResourceVersion: pushSyncVersionOf(ps),
    syncedPushSecrets: synced,
    conditions: setCondition(ps.status?.conditions, { type: 'Ready', status: 'True', reason: PushReason.Synced, message }, now),
  };
}

/** ESO's markAsFailed: Ready=False Errored with `message`; the synced map replaced when given. */
export function pushStatusFailed(ps: PushSecret, message: string, now: Date, synced?: SyncedPushSecrets): PushSecretStatus {
  return {
    ...ps.status,
    ...(synced !== undefined && { syncedPushSecrets: synced }),
    conditions: setCondition(ps.status?.conditions, { type: 'Ready', status: 'False', reason: PushReason.Errored, message }, now),
  };
}

/** ESO's handleSourceSecretDeleted + markAsSourceDeleted: empty synced map, Ready=False SourceDeleted. */
export function pushStatusSourceDeleted(ps: PushSecret, now: Date): PushSecretStatus {
  return {
    ...ps.status,
    syncedPushSecrets: {},
    conditions: setCondition(ps.status?.conditions, { type: 'Ready', status: 'False', reason: PushReason.SourceDeleted, message: PushMessage.sourceDeleted }, now),
  };
}
