// AKV-style paging: at most `maxresults` (1..25, default 25) items per page and an absolute
// `nextLink` carrying an opaque `$skiptoken`. The token is the sort key of the last item served, so a
// page boundary stays correct when items are added or removed between pages.
import { badParameter } from './api-error.ts';

export const MAX_PAGE_SIZE = 25;

export interface Page<T> {
  items: T[];
  /** Sort key of the last item, when more items follow. */
  continueAfter?: string;
}

export function parseMaxResults(raw: string | null): number {
  if (raw === null || raw === '') return MAX_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw badParameter(`Invalid maxresults: it must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
  return n;
}

export function encodeSkipToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64url');
}

export function decodeSkipToken(token: string | null): string | undefined {
  if (token === null || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through: a parser message would quote the token
  }
  throw badParameter('Invalid $skiptoken.');
}

/** `items` must be sorted by `keyOf` ascending. */
export function pageOf<T>(items: T[], keyOf: (item: T) => string, maxResults: number, after: string | undefined): Page<T> {
  const start = after === undefined ? 0 : items.findIndex((item) => keyOf(item) > after);
  if (start === -1) return { items: [] };
  const slice = items.slice(start, start + maxResults);
  const hasMore = start + maxResults < items.length;
  const last = slice.at(-1);
  return hasMore && last !== undefined ? { items: slice, continueAfter: keyOf(last) } : { items: slice };
}
