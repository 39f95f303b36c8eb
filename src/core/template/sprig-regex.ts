/**
 * sprig v3 regex functions (ESO's runtime/template/v2/sprig/regex.go): each compiles its pattern
 * with Go's regexp and calls the Go method of the same meaning, here core/go-regexp's.
 */
import { compileGoRegexp, type GoRegexp, quoteMeta } from '../go-regexp.ts';
import { fn, type CallContext, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';
import { nilSlice, typedSlice } from './values.ts';

function compile(pattern: string): GoRegexp {
  const compiled = compileGoRegexp(pattern);
  // The reason is Go's error code; the pattern may come from data, so it is never quoted.
  if (!compiled.ok) throw new FuncError(`regexp: Compile: error parsing regexp: ${compiled.reason}`);
  return compiled.regexp;
}

const regexMatch = (r: string, s: string) => compile(r).matchString(s);
const regexFind = (r: string, s: string) => compile(r).findString(s);
/** Go's FindAllString and Split return []string, nil when there is nothing. */
const stringsOrNil = (found: string[] | null | undefined): unknown[] => (found ? typedSlice('string', found) : nilSlice('string'));
const regexFindAll = (r: string, s: string, n: bigint) => stringsOrNil(compile(r).findAllString(s, Number(n)));
const regexReplaceAll = (r: string, s: string, t: string, ctx: CallContext) => compile(r).replaceAllString(s, t, (n) => ctx.checkSize(n));
const regexReplaceAllLiteral = (r: string, s: string, t: string, ctx: CallContext) => compile(r).replaceAllLiteralString(s, t, (n) => ctx.checkSize(n));
const regexSplit = (r: string, s: string, n: bigint) => stringsOrNil(compile(r).split(s, Number(n)));

export const SPRIG_REGEX: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['regexMatch', fn(['string', 'string'], ([r, s]) => {
    // sprig's regexMatch swallows compile errors and answers false.
    try {
      return regexMatch(r as string, s as string);
    } catch (e) {
      if (e instanceof FuncError) return false;
      throw e;
    }
  })],
  ['mustRegexMatch', fn(['string', 'string'], ([r, s]) => regexMatch(r as string, s as string))],
  ['regexFind', fn(['string', 'string'], ([r, s]) => regexFind(r as string, s as string))],
  ['mustRegexFind', fn(['string', 'string'], ([r, s]) => regexFind(r as string, s as string))],
  ['regexFindAll', fn(['string', 'string', 'int'], ([r, s, n]) => regexFindAll(r as string, s as string, n as bigint))],
  ['mustRegexFindAll', fn(['string', 'string', 'int'], ([r, s, n]) => regexFindAll(r as string, s as string, n as bigint))],
  ['regexReplaceAll', fn(['string', 'string', 'string'], ([r, s, t], ctx) => regexReplaceAll(r as string, s as string, t as string, ctx))],
  ['mustRegexReplaceAll', fn(['string', 'string', 'string'], ([r, s, t], ctx) => regexReplaceAll(r as string, s as string, t as string, ctx))],
  ['regexReplaceAllLiteral', fn(['string', 'string', 'string'], ([r, s, t], ctx) => regexReplaceAllLiteral(r as string, s as string, t as string, ctx))],
  ['mustRegexReplaceAllLiteral', fn(['string', 'string', 'string'], ([r, s, t], ctx) => regexReplaceAllLiteral(r as string, s as string, t as string, ctx))],
  ['regexSplit', fn(['string', 'string', 'int'], ([r, s, n]) => regexSplit(r as string, s as string, n as bigint))],
  ['mustRegexSplit', fn(['string', 'string', 'int'], ([r, s, n]) => regexSplit(r as string, s as string, n as bigint))],
  ['regexQuoteMeta', fn(['string'], ([s]) => quoteMeta(s as string))],
]);
