// Reads everything an ExternalSecret asks for, ESO's order: dataFrom entries first (in order), then
// data items, which win on key collisions. Shared by the operator, `projector check` and `projector dev`.
import type { ExternalSecret, ExternalSecretDataFrom, SecretStoreRef } from '../api/index.ts';
import { ProjectorError } from '../core/errors.ts';
import { dataFromSource, deletionPolicyOf } from '../core/external-secret.ts';
import { assertRemoteRefBounds } from '../core/limits.ts';
import { checkNullBytes, checkNullBytesInMap } from '../core/null-bytes.ts';
import { dataFromEntries, decodeValue, type DataFromOrigin, type KeyTemplateRenderer } from '../core/transform.ts';
import type { SecretBytes, SecretsClient } from '../providers/provider.ts';
import type { GeneratedData, ResolvedGenerator } from '../core/generators.ts';
import type { GeneratorRef } from './generate.ts';

/** Resolves a store reference (already access-checked) to a client. */
export type ClientResolver = (ref: SecretStoreRef | undefined, field: string, signal: AbortSignal) => Promise<SecretsClient>;

export interface FetchedData {
  data: Map<string, SecretBytes>;
  /** Every remote ref answered "not found" (and deletionPolicy is not Retain). */
  allMissing: boolean;
  /** Field paths of refs that were not found (only collected when deletionPolicy is not Retain). */
  missing: string[];
}

export interface FetchOptions {
  renderKeyTemplate?: KeyTemplateRenderer;
  /**
   * Runs a dataFrom item's generatorRef for an ExternalSecret in `namespace` (sync/generate.ts
   * runGeneratorRef with the driver's reader). Absent: generatorRef is NotSupported by this driver.
   */
  generate?: (ref: GeneratorRef, namespace: string, field: string, signal: AbortSignal, judged?: ResolvedGenerator) => Promise<GeneratedData>;
  /**
   * Judges a dataFrom item's generatorRef without running it (sync/generate.ts resolveGeneratorRef
   * with the same reader as `generate`): the operator's up-front controller-class check (ESO's
   * shouldSkipUnmanagedStore), whose answer is handed to `generate` as `judged`. Absent: the class
   * is judged only when the generator runs.
   */
  resolveGenerator?: (ref: GeneratorRef, namespace: string, field: string, signal: AbortSignal) => Promise<ResolvedGenerator>;
}

function isNotFound(e: unknown): boolean {
  return e instanceof ProjectorError && e.code === 'VaultNotFound';
}

async function fetchDataFrom(d: ExternalSecretDataFrom, field: string, client: SecretsClient, signal: AbortSignal, opts: FetchOptions): Promise<Map<string, SecretBytes>> {
  let raw: ReadonlyMap<string, SecretBytes>;
  let conversion: 'Default' | 'Unicode' | undefined;
  let decoding;
  let nullBytePolicy: string | undefined;
  let origin: DataFromOrigin;
  // The size bounds (core/limits.ts) before any provider sees the strings.
  if (d.extract) {
    assertRemoteRefBounds(d.extract, `${field}.extract`);
    raw = await client.getSecretMap(d.extract, signal);
    conversion = d.extract.conversionStrategy;
    decoding = d.extract.decodingStrategy;
    nullBytePolicy = d.extract.nullBytePolicy;
    origin = { field, kind: 'extract', remoteKey: d.extract.key, tags: d.extract.metadataPolicy === 'Fetch' };
  } else if (d.find) {
    assertRemoteRefBounds(d.find, `${field}.find`);
    raw = await client.getAllSecrets(d.find, signal);
    conversion = d.find.conversionStrategy;
    decoding = d.find.decodingStrategy;
    nullBytePolicy = d.find.nullBytePolicy;
    origin = { field, kind: 'find' };
  } else {
    throw new ProjectorError('InvalidSpec', `${field} needs extract or find`, { field });
  }
  // ESO: rewrite (or, without one, the conversion strategy), then key validation, then decoding:
  // a merge combines the values as the provider returned them, and decoding applies to its result.
  const entries = dataFromEntries(raw, { rewrite: d.rewrite, conversion, origin, renderKeyTemplate: opts.renderKeyTemplate });
  const out = new Map<string, SecretBytes>();
  for (const [k, v] of entries) out.set(k, decodeValue(v, decoding, field));
  checkNullBytesInMap(nullBytePolicy, out, `${field}.${d.extract ? 'extract' : 'find'}`);
  return out;
}

/**
 * ESO's handleGenerateSecrets: the generator's data, rewritten (rewrite[] in order, merge included) and then
 * checked as Secret keys (ValidateKeys); no conversionStrategy or decoding (a generatorRef has none).
 * Only a Webhook answering HTTP 404 is "not found" (ESO's NoSecretError, VaultNotFound here):
 * deletionPolicy applies to it as to a store's (GetProviderSecretData checks every dataFrom error).
 */
async function generateDataFrom(d: ExternalSecretDataFrom, ref: GeneratorRef, namespace: string, field: string, signal: AbortSignal, opts: FetchOptions): Promise<Map<string, SecretBytes>> {
  if (!opts.generate) throw new ProjectorError('NotSupported', `${field}.sourceRef.generatorRef: generators are not run by this command`, { field: `${field}.sourceRef.generatorRef` });
  const raw = await opts.generate(ref, namespace, field, signal);
  return dataFromEntries(raw, { rewrite: d.rewrite, origin: { field, kind: 'generator' }, renderKeyTemplate: opts.renderKeyTemplate });
}

export async function fetchProviderData(es: ExternalSecret, resolve: ClientResolver, signal: AbortSignal, opts: FetchOptions = {}): Promise<FetchedData> {
  const tolerateMissing = deletionPolicyOf(es) !== 'Retain';
  const data = new Map<string, SecretBytes>();
  const missing: string[] = [];
  let refs = 0;

  const dataFrom = es.spec.dataFrom ?? [];
  // ESO's loop keeps the previous entry's error in a variable only a read assigns: an entry that reads
  // nothing after a missing one (tolerated) is reported missing too (another MissingProviderSecret).
  let previousMissing = false;
  let echoes = 0;
  for (let i = 0; i < dataFrom.length; i++) {
    const d = dataFrom[i]!;
    const field = `spec.dataFrom[${i}]`;
    const source = dataFromSource(d);
    if (source === undefined) {
      // Only sourceRef.storeRef: ESO's CRD and webhook accept it and its controller reads nothing
      // (externalsecret_controller_secret.go GetProviderSecretData); no store is asked.
      if (previousMissing) {
        missing.push(field);
        echoes++;
      }
      continue;
    }
    refs++;
    previousMissing = false;
    const generatorRef = d.sourceRef?.generatorRef;
    try {
      if (source === 'generator' && generatorRef) {
        for (const [k, v] of await generateDataFrom(d, generatorRef, es.metadata.namespace ?? '', field, signal, opts)) data.set(k, v);
        continue;
      }
      const client = await resolve(d.sourceRef?.storeRef, field, signal);
      for (const [k, v] of await fetchDataFrom(d, field, client, signal, opts)) data.set(k, v);
    } catch (e) {
      if (!(tolerateMissing && isNotFound(e))) throw e;
      missing.push(field);
      previousMissing = true;
    }
  }

  const items = es.spec.data ?? [];
  const fetched = await Promise.all(
    items.map(async (item, i) => {
      const field = `spec.data[${i}]`;
      if (item.sourceRef?.generatorRef) throw new ProjectorError('NotSupported', `${field}.sourceRef.generatorRef is not supported by Projector yet`, { field });
      try {
        assertRemoteRefBounds(item.remoteRef, `${field}.remoteRef`);
        const client = await resolve(item.sourceRef?.storeRef, field, signal);
        const value = await client.getSecret(item.remoteRef, signal);
        const decoded = decodeValue(value, item.remoteRef.decodingStrategy, `${field}.remoteRef`);
        checkNullBytes(item.remoteRef.nullBytePolicy, decoded, `${field}.remoteRef`);
        return { key: item.secretKey, value: decoded };
      } catch (e) {
        if (e instanceof ProjectorError && !e.details.field) e.details.field = `${field}.remoteRef.key`;
        if (!(tolerateMissing && isNotFound(e))) throw e;
        missing.push(field);
        return undefined;
      }
    }),
  );
  refs += items.length;
  for (const f of fetched) if (f) data.set(f.key, f.value);

  return { data, missing, allMissing: tolerateMissing && refs > 0 && missing.length - echoes === refs };
}
