/** A validation finding: where (field path), what kind (code) and a message free of values. */
export interface Issue {
  path: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export function issue(path: string, code: string, message: string, severity: Issue['severity'] = 'error'): Issue {
  return { path, code, message, severity };
}
