// API-server failures → ProjectorError. Status messages are not copied (they can quote input);
// only the HTTP code, the Status reason and field names are kept.
import { ApiException } from './client-node.ts';
import { ProjectorError } from '../core/errors.ts';

interface StatusBody {
  reason?: string;
  details?: { causes?: { field?: string; reason?: string }[] };
}

function statusOf(e: ApiException<unknown>): StatusBody {
  const b = e.body;
  if (b && typeof b === 'object') return b as StatusBody;
  if (typeof b === 'string') {
    try {
      return JSON.parse(b) as StatusBody;
    } catch {
      return {};
    }
  }
  return {};
}

/**
 * A generic target's cause field, cut after its first two names (`spec.data…`): below them, map keys
 * may be made from secret data, and a CRD's validation writes them dotted as well as bracketed.
 */
function genericField(field: string): string {
  const bracket = field.indexOf('[');
  const names = (bracket < 0 ? field : field.slice(0, bracket)).split('.');
  const head = names.slice(0, 2).join('.');
  return names.length > 2 || bracket >= 0 ? `${head}…` : head;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

/**
 * `what` names the operation and object, e.g. `update Secret netbox/netbox-db-credentials`.
 * `maskAllKeys`: a generic target's cause fields are cut after their first two names (genericField),
 * where a Secret's only have their data key masked.
 */
export function kubeError(e: unknown, what: string, opts: { maskAllKeys?: boolean } = {}): ProjectorError {
  if (e instanceof ProjectorError) return e;
  if (e instanceof ApiException) {
    const st = statusOf(e);
    const reason = st.reason ? ` (${st.reason})` : '';
    // A Secret data key in a cause (`data[key]`) may be a JSON member name from a secret value: masked.
    const mask = (f: string | undefined) => (opts.maskAllKeys ? f && genericField(f) : f?.replace(/^(data|stringData)\[.*\]$/s, '$1[…]'));
    const fields = (st.details?.causes ?? []).map((c) => mask(c.field)).filter(Boolean);
    const fieldText = fields.length ? `; fields: ${fields.join(', ')}` : '';
    const d = { httpStatus: e.code, remoteCode: st.reason };
    switch (e.code) {
      case 409:
        return new ProjectorError('KubeConflict', `${what}: conflict${reason}`, d);
      case 401:
      case 403:
        return new ProjectorError('KubeForbidden', `${what}: forbidden by the API server (HTTP ${e.code}); check Projector's RBAC`, d);
      case 400:
      case 422:
        return new ProjectorError('KubeInvalid', `${what}: rejected by the API server (HTTP ${e.code}${reason})${fieldText}`, d);
      case 404:
        return new ProjectorError('KubeInvalid', `${what}: not found (HTTP 404)`, d);
      default:
        return new ProjectorError('KubeUnavailable', `${what}: API server answered HTTP ${e.code}${reason}`, d);
    }
  }
  const code = (e as { code?: unknown })?.code;
  return new ProjectorError('KubeUnavailable', `${what}: API server unreachable${typeof code === 'string' ? ` (${code})` : ''}`);
}
