/** The calling convention shared by builtins, sprig and ESO functions. */
import type { GoTime } from './go-time.ts';

/**
 * Go parameter types the executor checks before a call, as `reflect` would:
 * `value` is a builtin's raw reflect.Value (anything, even no value), `any` is interface{},
 * `dict` is map[string]interface{}, and a GoTypeParam is a type values.ts represents as GoObject.
 */
export type ParamType = 'value' | 'any' | 'string' | 'int' | 'float64' | 'bool' | 'dict' | 'time' | GoTypeParam;

/**
 * A parameter whose type is a GoStructType (values.ts) or a pointer to one, named as reflect names
 * it: `{ goType: '*semver.Version' }` for `(*Version).Compare(o *Version)`. A pointer type takes nil.
 */
export interface GoTypeParam {
  readonly goType: string;
}

export interface CallContext {
  /** Function name as written in the template. */
  readonly name: string;
  /** Whether argument `i` is a string literal in the template source (safe to quote in errors). */
  isLiteralArg(i: number): boolean;
  /** Throws the limit error when a value under construction would exceed the output limit. */
  checkSize(bytes: number): void;
  /** The render's `time.Now()` (ExecuteOptions.now); undefined when the caller gave no clock. */
  readonly now: GoTime | undefined;
}

export interface TemplateFunc {
  readonly params: readonly ParamType[];
  /** Element type of a trailing `...T` parameter. */
  readonly variadic?: ParamType;
  /**
   * Throws FuncError for Go's `(T, error)` results; any other exception counts as a Go panic and
   * is reported by its kind only.
   */
  readonly call: (args: unknown[], ctx: CallContext) => unknown;
}

export type FuncTable = ReadonlyMap<string, TemplateFunc>;

export function fn(params: readonly ParamType[], call: TemplateFunc['call'], variadic?: ParamType): TemplateFunc {
  return variadic === undefined ? { params, call } : { params, variadic, call };
}
