// Which ConfigMaps and Secrets a template's templateFrom names. Apart from the renderer
// (render-target-template.ts) so the controller's reader (controller/template-sources.ts) and
// `projector template` can list them without loading the template engine (docs/benchmarks.md,
// "Idle memory and start-up").
import type { ExternalSecret } from '../api/index.ts';

/**
 * The ConfigMaps and Secrets an ExternalSecret's templateFrom entries name (in its own namespace),
 * for the caller to read before rendering. Names in spec order, without repeats.
 */
export function templateSourceNames(es: ExternalSecret): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of es.spec.target?.template?.templateFrom ?? []) {
    if (from.configMap) configMaps.add(from.configMap.name);
    if (from.secret) secrets.add(from.secret.name);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}
