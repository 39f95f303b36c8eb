// The Key Vault REST api-version a store (or a `projector vault secret` call) speaks. ESO's
// AzureKVProvider has no field for it (apis/externalsecrets/v1/secretstore_azurekv_types.go: its
// legacy SDK always sends 7.0, its new one its own default), so Projector reads it from a store
// annotation; without one the SDK's default applies (`@azure/keyvault-secrets` 4.12: 2026-04-01).
// AKV-compatible servers that lag behind (Azure Stack Hub, emulators) accept older versions only.
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { GenericStore } from '../../api/index.ts';
import { issue, type Issue } from '../../core/issues.ts';

/** Store annotation naming the api-version, e.g. `projector.io/azurekv-api-version: "7.0"`. */
export const ANNOTATION_API_VERSION = 'projector.io/azurekv-api-version';

/** AKV's two spellings: `7.4`, `7.6-preview.2`, `2016-10-01`, `2025-07-01`, `2025-06-01-preview`. */
const API_VERSION_SYNTAX = /^(?:\d+\.\d+(?:-preview(?:\.\d+)?)?|\d{4}-\d{2}-\d{2}(?:-preview(?:\.\d+)?)?)$/;

/** Issues with an api-version given at `field` (an annotation path or a flag name); none when well-formed. */
export function apiVersionIssues(value: string, field: string): Issue[] {
  if (API_VERSION_SYNTAX.test(value)) return [];
  return [issue(field, 'InvalidValue', `${field} must be a Key Vault REST api-version such as 7.0, 7.4 or 2025-07-01`)];
}

/** The store's api-version annotation, with its issues; `version` undefined = the SDK's default. */
export function storeApiVersion(store: GenericStore): { version?: string; issues: Issue[] } {
  const raw = store.metadata.annotations?.[ANNOTATION_API_VERSION];
  if (raw === undefined) return { issues: [] };
  const field = `metadata.annotations["${ANNOTATION_API_VERSION}"]`;
  const value = raw.trim();
  const issues = apiVersionIssues(value, field);
  return issues.length ? { issues } : { version: value, issues };
}

/**
 * Sends `api-version=<version>` on every request of the SecretClient it is added to, replacing
 * what the URL carries. Paging needs it: the SDK requests a list's next page at the server's
 * `nextLink` verbatim and appends its own client version only when that link has none, so a server
 * that leaves the version out of its links (or names another one) would get a version it may not
 * serve on page 2, after page 1 succeeded. The name is written plainly: the SDK's URL template
 * spells it `api%2Dversion` on first pages.
 */
export function pinApiVersionPolicy(version: string): PipelinePolicy {
  return {
    name: 'projectorPinApiVersion',
    sendRequest(request, next) {
      request.url = withApiVersion(request.url, version);
      return next(request);
    },
  };
}

/** `url` with every `api-version` parameter (in any spelling) replaced by one `api-version=<version>`. */
export function withApiVersion(url: string, version: string): string {
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  const q = base.indexOf('?');
  const path = q === -1 ? base : base.slice(0, q);
  const kept = (q === -1 ? [] : base.slice(q + 1).split('&')).filter((part) => part !== '' && !isApiVersionParam(part));
  return `${path}?${['api-version=' + encodeURIComponent(version), ...kept].join('&')}`;
}

function isApiVersionParam(part: string): boolean {
  const name = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name).toLowerCase() === 'api-version';
  } catch {
    return false;
  }
}
