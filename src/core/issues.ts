/** A validation finding: where (field path), what kind (code) and a message free of values. */
export interface Issue {
  path: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

/**
 * An issue as one line for a condition, an event or the CLI: `path: message`, or the message alone
 * when it names its path already (`metadata.name must be a DNS subdomain`), so a field is named once.
 */
export function issueText(i: Pick<Issue, 'path' | 'message'>): string {
  return !i.path || i.message.startsWith(i.path) ? i.message : `${i.path}: ${i.message}`;
}

export function issue(path: string, code: string, message: string, severity: Issue['severity'] = 'error'): Issue {
  return { path, code, message, severity };
}
