// `projector dev` without a cluster: the ExternalSecrets a repository's ClusterExternalSecrets would
// create, by the operator's own rules (core/cluster-external-secret.ts: namespace selection, the
// ExternalSecret it writes, never overwriting one it did not create).
import { createHash } from 'node:crypto';
import type { ClusterExternalSecret, ExternalSecret } from '../../api/index.ts';
import { blockingIssue, CES_REASON_ALREADY_EXISTS, desiredExternalSecret, externalSecretNameOf, namespaceSelectorsOf, selectNamespaces, type NamespaceView } from '../../core/cluster-external-secret.ts';
import { issueText } from '../../core/issues.ts';

export interface Expanded {
  /** The ExternalSecrets the ClusterExternalSecrets create, as the operator would write them. */
  externalSecrets: ExternalSecret[];
  /** One line per ClusterExternalSecret: what was rendered, and why not elsewhere. */
  notes: string[];
}

/**
 * Without a cluster there are no Namespace objects: the namespaces are those `spec.namespaces` lists
 * (each labelled `kubernetes.io/metadata.name` only, as the API server labels a namespace), run
 * through ESO's selection (selectNamespaces), so an invalid selector fails the whole
 * ClusterExternalSecret as in the operator. `namespaceSelectors` match namespace labels only a
 * cluster has: the note says so. An ExternalSecret of the same namespace and name in `existing`
 * (the repository's own) is never replaced (ESO's "external secret already exists in namespace").
 */
export function expandClusterExternalSecrets(cesList: readonly ClusterExternalSecret[], existing: readonly ExternalSecret[]): Expanded {
  const out: Expanded = { externalSecrets: [], notes: [] };
  const taken = new Set(existing.map((es) => `${es.metadata.namespace}/${es.metadata.name}`));
  for (const ces of cesList) {
    const label = `ClusterExternalSecret ${ces.metadata.name}`;
    const invalid = blockingIssue(ces);
    if (invalid) {
      out.notes.push(`${label}: not rendered: ${invalid.code}: ${issueText(invalid)}`);
      continue;
    }
    const views: NamespaceView[] = [...new Set(ces.spec.namespaces ?? [])].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name }, finalizers: [], terminating: false }));
    const selected = selectNamespaces(ces, views);
    if (!selected.ok) {
      out.notes.push(`${label}: not rendered: ${selected.error}`);
      continue;
    }
    const name = externalSecretNameOf(ces);
    const rendered: string[] = [];
    const failed: string[] = [];
    for (const ns of selected.namespaces) {
      if (taken.has(`${ns.name}/${name}`)) {
        failed.push(`${ns.name} (${CES_REASON_ALREADY_EXISTS})`);
        continue;
      }
      const es = desiredExternalSecret(ces, ns.name, name, undefined);
      // A stable identity per namespace, changing with the ClusterExternalSecret's spec (as its generation does).
      const uid = createHash('sha256').update(`ClusterExternalSecret/${ces.metadata.name}/${ns.name}`).digest('hex').slice(0, 32);
      es.metadata.uid = `${uid.slice(0, 8)}-${uid.slice(8, 12)}-${uid.slice(12, 16)}-${uid.slice(16, 20)}-${uid.slice(20)}`;
      es.metadata.resourceVersion = ces.metadata.resourceVersion ?? '1';
      es.metadata.generation = ces.metadata.generation ?? 1;
      out.externalSecrets.push(es);
      taken.add(`${ns.name}/${name}`);
      rendered.push(ns.name);
    }
    const bySelector = namespaceSelectorsOf(ces).some((s) => s.selector !== null);
    const parts = [rendered.length > 0 ? `rendered ExternalSecret ${name} in ${rendered.join(', ')}` : 'no namespace rendered'];
    if (failed.length > 0) parts.push(`failed in ${failed.join(', ')}`);
    if (bySelector) parts.push('namespaceSelectors match namespace labels, which only a cluster has: not rendered for them here (projector dev --cluster leaves ClusterExternalSecrets to the cluster\'s operator)');
    out.notes.push(`${label}: ${parts.join('; ')}`);
  }
  return out;
}
