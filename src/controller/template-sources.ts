// The ConfigMaps and Secrets a template's templateFrom names, read for rendering. One reader for the
// ExternalSecret and PushSecret reconcilers, so both resolve templateFrom alike (ESO: both use
// pkg/controllers/templating.Parser, which Gets each object live in the resource's namespace).
import type { ExternalSecret } from '../api/index.ts';
import type { SecretBytes, TemplateSources } from '../core/plan-target-secret.ts';
import { templateSourceNames } from '../core/template-source-names.ts';
import type { KubeClient } from '../kube/client.ts';

/**
 * Reads what `es.spec.target.template.templateFrom` names in `es`'s namespace, at each sync (not
 * watched: a change shows at the next sync, as in ESO). One that does not exist is left out; the
 * renderer reports it (TemplateSourceNotFound). Undefined when templateFrom names nothing.
 * Throws what the kube client throws (ProjectorError).
 */
export async function readTemplateSources(kube: Pick<KubeClient, 'getSecret'> & Partial<Pick<KubeClient, 'getConfigMap'>>, es: ExternalSecret): Promise<TemplateSources | undefined> {
  const names = templateSourceNames(es);
  if (names.configMaps.length === 0 && names.secrets.length === 0) return undefined;
  const ns = es.metadata.namespace;
  const configMaps = new Map<string, Record<string, string>>();
  const secrets = new Map<string, ReadonlyMap<string, SecretBytes>>();
  for (const name of names.configMaps) {
    const cm = kube.getConfigMap ? await kube.getConfigMap(ns, name) : undefined;
    if (cm) configMaps.set(name, cm);
  }
  for (const name of names.secrets) {
    const s = await kube.getSecret(ns, name);
    if (s) secrets.set(name, s.data);
  }
  return { configMaps, secrets };
}
