// dataFrom[].rewrite[].merge (ESO runtime/esutils/utils.go RewriteMerge, merge,
// sortKeysWithPriority): the values of a dataFrom entry's keys, each a JSON object, merged into one.
// Strategy Extract makes each merged member a key of its own (the inputs' keys are dropped); strategy
// JSON keeps the inputs and adds the merged object, as JSON, under `into`.
//
// Member names and values are the secret's: no message names them. An input is named by where it
// came from (DataFromEntry.name), a merged member by its position in the input that set it.
import type { Rewrite } from '../api/index.ts';
import { ProjectorError } from './errors.ts';
import { describeUnmarshalFailure, goByteValue, marshalGoAny, unmarshalObject, type GoAny } from './go-json-any.ts';
import { compareGoStrings } from './go-string.ts';
import { Sensitive } from './sensitive.ts';

/** One key of a dataFrom entry while its rewrites run. */
export interface DataFromEntry {
  key: string;
  value: Sensitive<Uint8Array>;
  /**
   * How messages name the entry, e.g. `member #3 of the value of remote key "app" (spec.dataFrom[0].extract)`;
   * never its key when that is part of a value. A function: only a message needs it, and building
   * one per key of every read would cost each sync.
   */
  name: () => string;
  /** The key is part of a secret value (a JSON member name): messages must not show it. */
  keyIsValue: boolean;
}

export type RewriteMergeSpec = NonNullable<Rewrite['merge']>;

interface Merged {
  value: GoAny;
  /** The input that set it last, and the member's position there. */
  from: DataFromEntry;
  position: number;
}

/**
 * Applies one merge to the entries (ESO RewriteMerge, with ESO's order of checks):
 *
 * 1. The inputs are the entries' keys in Go's sorted (bytewise) order, except those named in
 *    `priority`, then every `priority` key in the order given (a key listed twice is merged twice).
 *    A `priority` key with no entry fails unless `priorityPolicy` is IgnoreNotFound.
 * 2. Each input's value is read as encoding/json reads it into map[string]any (go-json-any.ts); one
 *    that is not a JSON object (or `null`, which has no members) fails. Its members are set in
 *    turn: a later input wins a member name, and each name set again is a conflict.
 * 3. Any conflict fails unless `conflictPolicy` is Ignore.
 * 4. Extract (the default): the result is the merged members, each as ESO's GetByteValue writes it
 *    (a string as it is, a number as strconv.FormatFloat 'f', a bool as `true`/`false`, null as
 *    empty, an object or array as json.Marshal writes it). JSON: the entries as they were, plus
 *    `into` holding the merged object as ESO's JSONMarshal writes it (keys sorted, no HTML
 *    escaping); an empty `into` fails.
 *
 * @param field the merge's spec path, `spec.dataFrom[i].rewrite[j].merge`.
 * @returns the entries after the merge; merged members name their origin (`member #2 of the value of …`).
 * @throws ProjectorError `VaultBadValue` (the vault's data decides: a missing priority key, a value
 *   that is not a JSON object, a conflict), never naming a member or showing a value;
 *   `InvalidSpec` for strategy JSON without `into`.
 */
export function rewriteMerge(entries: readonly DataFromEntry[], merge: RewriteMergeSpec, field: string): DataFromEntry[] {
  const input = new Map(entries.map((e) => [e.key, e]));
  const priority = merge.priority ?? [];
  const order = [...[...input.keys()].filter((k) => !priority.includes(k)).sort(compareGoStrings), ...priority];
  const merged = new Map<string, Merged>();
  let conflicts = 0;
  let firstConflict: { member: Merged; earlier: Merged } | undefined;
  order.forEach((key, i) => {
    const entry = input.get(key);
    if (!entry) {
      if (merge.priorityPolicy === 'IgnoreNotFound') return;
      const p = i - (order.length - priority.length);
      throw new ProjectorError(
        'VaultBadValue',
        `${field}.priority[${p}]: merge failed with key ${JSON.stringify(key)} not found in input map (priorityPolicy ${merge.priorityPolicy ?? 'Strict'}; IgnoreNotFound skips a missing key)`,
        { field: `${field}.priority[${p}]` },
      );
    }
    const decoded = unmarshalObject(entry.value.reveal());
    if (!decoded.ok) {
      throw new ProjectorError('VaultBadValue', `${field}: merge failed with failed to unmarshal JSON: the value of ${entry.name()}: ${describeUnmarshalFailure(decoded.failure)}`, { field });
    }
    for (const m of decoded.members) {
      const member: Merged = { value: m.value, from: entry, position: m.position };
      const earlier = merged.get(m.key);
      if (earlier) {
        conflicts++;
        firstConflict ??= { member, earlier };
      }
      merged.set(m.key, member);
    }
  });
  if (firstConflict && merge.conflictPolicy !== 'Ignore') {
    const { member, earlier } = firstConflict;
    throw new ProjectorError(
      'VaultBadValue',
      `${field}: merge failed with conflicts: ${conflicts} member ${conflicts === 1 ? 'name is' : 'names are'} set by more than one input, first ${memberName(member)}, also set by ${memberName(earlier)}; ` +
        'the names are part of the secret values and are not shown; with conflictPolicy Ignore the later input wins (non-priority keys in sorted order, then priority in its order)',
      { field: `${field}.conflictPolicy` },
    );
  }
  if (merge.strategy === 'JSON') {
    if (!merge.into) {
      throw new ProjectorError('InvalidSpec', `${field}.into: merge failed with missing 'into' field: strategy JSON writes the merged object to the key that into names`, { field: `${field}.into` });
    }
    const object = new Map([...merged].map(([k, m]) => [k, m.value]));
    const out = new Map(input);
    out.set(merge.into, { key: merge.into, value: new Sensitive(new TextEncoder().encode(marshalGoAny(object, false))), name: () => `the key ${field}.into`, keyIsValue: false });
    return [...out.values()];
  }
  return [...merged].map(([key, m]) => ({ key, value: new Sensitive(goByteValue(m.value)), name: () => memberName(m), keyIsValue: true }));
}

function memberName(m: Merged): string {
  return `member #${m.position} of the value of ${m.from.name()}`;
}
