import { ProjectorError } from '../errors.ts';

/**
 * Why a template failed. `parse` and `unsupported` are fixed by editing the manifest; `exec` and
 * `limit` may depend on the data (a missing key, a value of the wrong shape). Bytes that are not
 * UTF-8 are no failure: every function takes them as Go does (core/go-string.ts).
 */
export type TemplateErrorKind = 'parse' | 'exec' | 'limit' | 'unsupported';

export interface TemplatePosition {
  readonly line: number;
  /** Go's column: the 0-based byte offset within the line, as `text/template` prints it. */
  readonly column: number;
}

/**
 * A parse or execution failure. The message follows Go's `text/template` wording
 * (`template: NAME:LINE:COL: executing "NAME" at <NODE>: PROBLEM`) and is built from template
 * names, positions, template source fragments, function names and Go type names only: never from
 * a data value, a function result or rendered output.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly kind: TemplateErrorKind;
  readonly templateName: string;
  readonly line?: number;
  readonly column?: number;
  constructor(kind: TemplateErrorKind, templateName: string, message: string, position?: TemplatePosition) {
    super(message);
    this.kind = kind;
    this.templateName = templateName;
    if (position) {
      this.line = position.line;
      this.column = position.column;
    }
  }

  /** The form the reconciler reports: bad templates never retry, data-dependent failures back off. */
  toProjectorError(field?: string): ProjectorError {
    const details = field === undefined ? {} : { field };
    switch (this.kind) {
      case 'parse':
        return new ProjectorError('InvalidSpec', this.message, details);
      case 'unsupported':
        return new ProjectorError('NotSupported', this.message, details);
      default:
        return new ProjectorError('VaultBadValue', this.message, details);
    }
  }
}

/**
 * Thrown by template functions. Its message is appended to `error calling NAME: ` and so must hold
 * no data value either.
 */
export class FuncError extends Error {
  override readonly name = 'FuncError';
  readonly unsupported: boolean;
  constructor(message: string, unsupported = false) {
    super(message);
    this.unsupported = unsupported;
  }
}
