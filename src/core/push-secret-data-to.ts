// PushSecret's spec.dataTo (bulk push) and conversionStrategy ReverseUnicode, pure.
//
// Behaviour follows ESO v2.9's pkg/controllers/pushsecret/pushsecret_controller.go
// (validateDataToStoreRefs, validateDataToMatchesResolvedStores, filterDataToForStore,
// dataToMatchesStore, expandDataTo, expandSingleDataTo, registerRemoteKeys, matchKeys,
// rewriteWithKeyMapping, compileRewrite, resolveSourceKeyConflicts, resolveOriginalKey) and
// runtime/esutils/utils.go (ReverseKeys, ReverseKey, reverse). Every user regexp runs through
// core/go-regexp.ts (Go's regexp semantics); rewrites reuse core/transform.ts rewriteKey, the
// ExternalSecret dataFrom rewrite rule. Messages name fields and Secret keys, never values.
import type { PushSecret, PushSecretData, PushSecretDataTo, PushSecretStoreRef } from '../api/pushsecret.ts';
import { ProjectorError } from './errors.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { issue, type Issue } from './issues.ts';
import type { Sensitive } from './sensitive.ts';
import { matchesLabelSelector } from './store-access.ts';
import { rewriteKey, type KeyTemplateRenderer } from './transform.ts';
import { checkLabelSelector, checkRegexp } from './validate.ts';

type SecretBytes = Sensitive<Uint8Array>;
type Strategy = PushSecretData['conversionStrategy'];

/** ESO's unicodeRegex (runtime/esutils/utils.go): `_U` + 4 or 5 hex digits + `_`. Fixed, not a user pattern. */
const UNICODE_ESCAPE = /_U([0-9a-fA-F]{4,5})_/g;

/**
 * ESO's ReverseKey: under `ReverseUnicode`, each `_U<4-5 hex>_` in `key` (leftmost, non-overlapping,
 * as Go's FindAllStringSubmatchIndex) becomes the character of that code point (Go's
 * fmt.Sprintf("%c"): a surrogate code point becomes U+FFFD); any other strategy returns `key`.
 * The inverse of ExternalSecret's conversionStrategy Unicode (core/transform.ts convertKey).
 */
export function reverseUnicodeKey(strategy: Strategy, key: string): string {
  if (strategy !== 'ReverseUnicode') return key;
  return key.replace(UNICODE_ESCAPE, (_m, hex: string) => {
    const cp = Number.parseInt(hex, 16);
    return cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : String.fromCodePoint(cp);
  });
}

/**
 * ESO's ReverseKeys: `data` with every key converted by reverseUnicodeKey. Two keys converting to
 * one fail with ESO's transformKeys text (`secret name collision during conversion: <key>`); the
 * caller adds ESO's context (pushSecretEntry's `could not apply conversion strategy to keys: `,
 * expandSingleDataTo's `conversion failed: `).
 * @throws ProjectorError InvalidSpec, its field `<field>.conversionStrategy` (the item whose strategy it is).
 */
export function reverseKeys(strategy: Strategy, data: ReadonlyMap<string, SecretBytes>, field: string): ReadonlyMap<string, SecretBytes> {
  if (strategy !== 'ReverseUnicode') return data;
  const out = new Map<string, SecretBytes>();
  for (const [k, v] of data) {
    const key = reverseUnicodeKey(strategy, k);
    if (out.has(key)) throw new ProjectorError('InvalidSpec', `secret name collision during conversion: ${key}`, { field: `${field}.conversionStrategy` });
    out.set(key, v);
  }
  return out;
}

/**
 * ESO's `dataTo[i]: ` prefix of a run-time dataTo failure (expandDataTo, registerRemoteKeys,
 * validateDataToStoreRefs, validateDataToMatchesResolvedStores); `i` is the entry's index in
 * spec.dataTo (ESO's expandDataTo counts only the entries for the store being pushed,
 * docs/design/000-overview.md).
 */
function dataToLabel(i: number): string {
  return `dataTo[${i}]`;
}

/** ESO's handlePushSecretDataForStore wraps an expansion failure in `failed to expand dataTo: `. */
const EXPAND_FAILED = 'failed to expand dataTo';

/**
 * ESO's validateDataToStoreRefs, the first check of a push, in its words: an entry without a
 * storeRef, one naming neither a store nor a label selector, and one naming a store that
 * secretStoreRefs does not name (same name and kind). `projector validate` reports the same cases
 * at the field (dataToIssues).
 * @throws ProjectorError InvalidSpec naming `spec.dataTo[i].storeRef`.
 */
export function assertDataToStoreRefs(ps: PushSecret): void {
  const named = (ps.spec.secretStoreRefs ?? []).filter((r) => r.name);
  (ps.spec.dataTo ?? []).forEach((d, i) => {
    const field = `spec.dataTo[${i}].storeRef`;
    if (!d.storeRef) throw new ProjectorError('InvalidSpec', `${dataToLabel(i)}: storeRef is required`, { field });
    if (!d.storeRef.name && !d.storeRef.labelSelector) throw new ProjectorError('InvalidSpec', `${dataToLabel(i)}: storeRef must have name or labelSelector`, { field });
    if (d.storeRef.name && !named.some((r) => r.name === d.storeRef!.name && kindOf(r) === kindOf(d.storeRef))) {
      throw new ProjectorError('InvalidSpec', `${dataToLabel(i)}: storeRef ${JSON.stringify(d.storeRef.name)} not found in secretStoreRefs`, { field: `${field}.name` });
    }
  });
}

/** A store as dataTo's storeRef is matched against it: its kind, name and labels. */
export interface PushStoreIdentity {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  labels: Readonly<Record<string, string>>;
}

const kindOf = (ref: PushSecretStoreRef | undefined) => ref?.kind ?? 'SecretStore';

/**
 * Static checks of spec.dataTo (no I/O), for validatePushSecret: ESO's CRD rules (storeRef with a
 * name or a labelSelector; remoteKey and rewrite exclusive; each rewrite exactly one of regexp or
 * transform), its validateDataToStoreRefs (a named storeRef must be a named entry of
 * secretStoreRefs, same kind), and what ESO finds only while pushing (a label selector
 * LabelSelectorAsSelector refuses, a match or rewrite regexp Go refuses), reported up front.
 */
export function dataToIssues(ps: PushSecret): Issue[] {
  const out: Issue[] = [];
  const named = (ps.spec.secretStoreRefs ?? []).filter((r) => r.name);
  (ps.spec.dataTo ?? []).forEach((d, i) => {
    const at = `spec.dataTo[${i}]`;
    if (!d.storeRef) out.push(issue(`${at}.storeRef`, 'InvalidSpec', 'storeRef is required'));
    else if (!d.storeRef.name && !d.storeRef.labelSelector) out.push(issue(`${at}.storeRef`, 'InvalidSpec', 'storeRef must specify either name or labelSelector'));
    else if (d.storeRef.name) {
      if (!named.some((r) => r.name === d.storeRef!.name && kindOf(r) === kindOf(d.storeRef))) {
        out.push(issue(`${at}.storeRef.name`, 'InvalidSpec', `storeRef ${JSON.stringify(d.storeRef.name)} (${kindOf(d.storeRef)}) not found in secretStoreRefs: a dataTo entry may only name a store listed by name in spec.secretStoreRefs`));
      }
    } else out.push(...checkLabelSelector(d.storeRef.labelSelector!, `${at}.storeRef.labelSelector`));
    if (d.remoteKey && (d.rewrite ?? []).length > 0) out.push(issue(`${at}.rewrite`, 'InvalidSpec', 'remoteKey and rewrite are mutually exclusive: rewrite is only supported in per-key mode (without remoteKey)'));
    if (d.match?.regexp) out.push(...checkRegexp(d.match.regexp, `${at}.match.regexp`));
    (d.rewrite ?? []).forEach((rw, j) => {
      const rat = `${at}.rewrite[${j}]`;
      if (!rw.regexp === !rw.transform) out.push(issue(rat, 'InvalidSpec', 'exactly one of regexp or transform must be set'));
      if (rw.regexp) out.push(...checkRegexp(rw.regexp.source, `${rat}.regexp.source`));
    });
  });
  return out;
}

/** ESO's dataToMatchesStore: a named storeRef by name and kind; a label-selected one by kind and labels. */
export function dataToTargetsStore(d: PushSecretDataTo, store: PushStoreIdentity): boolean {
  const ref = d.storeRef;
  if (!ref) return false;
  if (ref.name) return ref.name === store.name && kindOf(ref) === store.kind;
  if (!ref.labelSelector) return false;
  return kindOf(ref) === store.kind && matchesLabelSelector(ref.labelSelector, { ...store.labels });
}

/**
 * ESO's validateDataToMatchesResolvedStores: a dataTo entry selecting stores by label must match
 * one of the stores the PushSecret resolved (after dropping stores of another controller class);
 * otherwise it would silently push nothing.
 * @throws ProjectorError InvalidSpec naming the entry's storeRef.labelSelector.
 */
export function assertDataToSelectorsMatch(ps: PushSecret, stores: readonly PushStoreIdentity[]): void {
  (ps.spec.dataTo ?? []).forEach((d, i) => {
    if (!d.storeRef?.labelSelector || d.storeRef.name) return;
    if (stores.some((s) => dataToTargetsStore(d, s))) return;
    const field = `spec.dataTo[${i}].storeRef.labelSelector`;
    throw new ProjectorError('InvalidSpec', `${dataToLabel(i)}: labelSelector does not match any store in secretStoreRefs`, { field });
  });
}

/** One item dataTo expands to: the data item (as ESO records it), where it came from, and a bundle's payload. */
export interface ExpandedItem {
  data: PushSecretData;
  /** `spec.dataTo[i]`. */
  field: string;
  /** Bundle mode: the matched keys (converted) and their values, pushed as one JSON object. */
  bundle?: ReadonlyMap<string, SecretBytes>;
}

/** ESO's bundleSourceKey: how a bundle is named as a "source key" in duplicate messages. */
const BUNDLE_SOURCE = '(bundle)';

/**
 * ESO's expandDataTo for one store: each dataTo entry targeting `store`, in spec order, over the
 * (templated) source data. Keys are converted by the entry's conversionStrategy, sorted, matched by
 * `match.regexp` (Go regexp, unanchored; none: all keys). With `remoteKey` (bundle mode) the matched
 * keys become one item without secretKey whose payload is those keys; without it (per-key mode)
 * each matched key becomes an item pushing the original Secret key to the key rewritten by
 * `rewrite` (core/transform.ts rewriteKey, in order). Items carry the entry's metadata and
 * conversionStrategy None (the conversion is done). An entry matching nothing adds nothing.
 * @throws ProjectorError InvalidSpec: a conversion collision, an empty rewritten key, or two
 *   entries (or two keys of one entry) reaching one remote key (ESO's registerRemoteKeys); messages
 *   name entries and Secret keys.
 */
export function expandDataTo(ps: PushSecret, store: PushStoreIdentity, source: ReadonlyMap<string, SecretBytes>, renderKeyTemplate?: KeyTemplateRenderer): ExpandedItem[] {
  const out: ExpandedItem[] = [];
  const seen = new Map<string, string>(); // remote key -> "spec.dataTo[i] source key k"
  (ps.spec.dataTo ?? []).forEach((d, i) => {
    if (!dataToTargetsStore(d, store)) return;
    const field = `spec.dataTo[${i}]`;
    const failed = (e: unknown, step: string) => (e instanceof ProjectorError ? new ProjectorError(e.code, `${EXPAND_FAILED}: ${dataToLabel(i)}: ${step}${e.message}`, e.details) : e);
    let converted: ReadonlyMap<string, SecretBytes>;
    try {
      converted = reverseKeys(d.conversionStrategy, source, field);
    } catch (e) {
      throw failed(e, 'conversion failed: ');
    }
    const toOriginal = new Map<string, string>();
    for (const k of source.keys()) toOriginal.set(reverseUnicodeKey(d.conversionStrategy, k), k);
    const keys = [...converted.keys()].sort(byBytes);
    const matched = matchKeys(keys, d.match?.regexp, field);
    if (matched.length === 0) return;
    const base = { ...(d.metadata !== undefined && { metadata: d.metadata }), conversionStrategy: 'None' as const };
    if (d.remoteKey) {
      register(seen, d.remoteKey, BUNDLE_SOURCE, i);
      out.push({ data: { match: { remoteRef: { remoteKey: d.remoteKey } }, ...base }, field, bundle: new Map(matched.map((k) => [k, converted.get(k)!])) });
      return;
    }
    // ESO rewrites every matched key, then refuses an empty result, then registers them.
    const remoteKeys = matched.map((key) => {
      try {
        return rewriteKey(key, d.rewrite ?? [], field, renderKeyTemplate);
      } catch (e) {
        throw failed(e, 'rewrite failed: ');
      }
    });
    matched.forEach((key, k) => {
      if (remoteKeys[k] === '') throw new ProjectorError('InvalidSpec', `${EXPAND_FAILED}: ${dataToLabel(i)}: empty remote key produced for source key ${JSON.stringify(key)}`, { field: `${field}.rewrite` });
    });
    matched.forEach((key, k) => {
      register(seen, remoteKeys[k]!, key, i);
      out.push({ data: { match: { secretKey: toOriginal.get(key)!, remoteRef: { remoteKey: remoteKeys[k]! } }, ...base }, field });
    });
  });
  return out;
}

/**
 * ESO's registerRemoteKeys: a remote key reached twice fails as
 * `failed to expand dataTo: dataTo[i]: duplicate remote key "r" from source key "k" (conflicts with dataTo[j]:k0)`.
 * `seen` maps a remote key to ESO's `dataTo[j]:k0`.
 */
function register(seen: Map<string, string>, remoteKey: string, sourceKey: string, i: number): void {
  const first = seen.get(remoteKey);
  if (first !== undefined) {
    throw new ProjectorError('InvalidSpec', `${EXPAND_FAILED}: ${dataToLabel(i)}: duplicate remote key ${JSON.stringify(remoteKey)} from source key ${JSON.stringify(sourceKey)} (conflicts with ${first})`, { field: `spec.dataTo[${i}]` });
  }
  seen.set(remoteKey, `${dataToLabel(i)}:${sourceKey}`);
}

/** ESO's matchKeys: keys matching `regexp` anywhere (Go's MatchString); all keys when none. */
function matchKeys(keys: readonly string[], regexp: string | undefined, field: string): string[] {
  if (!regexp) return [...keys];
  const c = compileGoRegexp(regexp);
  if (!c.ok) throw new ProjectorError('InvalidSpec', `${field}.match.regexp: not a valid Go (RE2) regular expression: ${c.reason}`, { field: `${field}.match.regexp` });
  return keys.filter((k) => c.regexp.matchString(k));
}

/** Go's slices.Sort over strings: bytewise (UTF-8) order. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * ESO's resolveSourceKeyConflicts: a per-key dataTo item whose Secret key an explicit spec.data
 * item also pushes is dropped (explicit data wins); the explicit items follow the dataTo ones.
 * Keys compare as Secret keys: an explicit item under ReverseUnicode names the converted key, so it
 * is mapped back (resolveOriginalKey). Deliberate difference: a bundle item (no secretKey) is never
 * dropped; ESO drops every bundle when an explicit item also has no secretKey (both compare as "").
 */
export function resolveSourceKeyConflicts<T extends { data: PushSecretData }>(dataTo: readonly T[], explicit: readonly T[], source: ReadonlyMap<string, SecretBytes>): T[] {
  const explicitKeys = new Set(explicit.map((e) => originalKeyOf(e.data, source)));
  return [...dataTo.filter((d) => !d.data.match.secretKey || !explicitKeys.has(d.data.match.secretKey)), ...explicit];
}

function originalKeyOf(data: PushSecretData, source: ReadonlyMap<string, SecretBytes>): string {
  const key = data.match.secretKey ?? '';
  if (data.conversionStrategy !== 'ReverseUnicode') return key;
  for (const k of source.keys()) if (reverseUnicodeKey(data.conversionStrategy, k) === key) return k;
  return key;
}
