/** sprig v3 regex functions over Go RE2 syntax, with Go's match iteration and `$` expansion. */
import { compileGoRegexp } from '../validate.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { FuncError } from './template-error.ts';

interface Match {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
  readonly named: Readonly<Record<string, string | undefined>>;
}

function compile(pattern: string): RegExp {
  const compiled = compileGoRegexp(pattern, 'g');
  // The reason is a fixed phrase; the pattern may come from data, so it is never quoted.
  if (!compiled.ok) throw new FuncError(`regexp: Compile: error parsing regexp: ${compiled.reason}`);
  return new RegExp(compiled.regexp.source, compiled.regexp.flags);
}

/** Go's FindAllIndex: up to n matches (n < 0: all), skipping empty matches that abut the previous one. */
function findAll(re: RegExp, s: string, n: number): Match[] {
  const out: Match[] = [];
  if (n === 0) return out;
  let prevEnd = -1;
  re.lastIndex = 0;
  while (n < 0 || out.length < n) {
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    if (end === start) {
      re.lastIndex = start + (s.codePointAt(start)! > 0xffff ? 2 : 1);
      if (start === prevEnd) {
        if (start >= s.length) break;
        continue;
      }
    }
    out.push({ start, end, groups: [...m], named: m.groups ?? {} });
    prevEnd = end;
    if (start >= s.length) break;
  }
  return out;
}

/** Go's Regexp.Expand for ReplaceAllString: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, m: Match): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const rest = template.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const ref = /^\{(\w+)\}/.exec(rest) ?? /^(\w+)/.exec(rest);
    if (!ref) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const name = ref[1]!;
    out += /^\d+$/.test(name) ? (m.groups[Number(name)] ?? '') : (m.named[name] ?? '');
    i = dollar + 1 + ref[0].length;
  }
  return out;
}

function replaceAll(pattern: string, s: string, replacement: (m: Match) => string): string {
  let out = '';
  let last = 0;
  for (const m of findAll(compile(pattern), s, -1)) {
    out += s.slice(last, m.start) + replacement(m);
    last = m.end;
  }
  return out + s.slice(last);
}

function split(pattern: string, s: string, n: number): string[] | null {
  if (n === 0) return null;
  if (pattern.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(compile(pattern), s, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = m.start;
    if (m.end !== 0) out.push(s.slice(beg, end));
    beg = m.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

function regexMatch(pattern: string, s: string): boolean {
  return findAll(compile(pattern), s, 1).length > 0;
}

function regexFind(pattern: string, s: string): string {
  const m = findAll(compile(pattern), s, 1)[0];
  return m ? s.slice(m.start, m.end) : '';
}

function regexFindAll(pattern: string, s: string, n: bigint): string[] | null {
  const matches = findAll(compile(pattern), s, Number(n));
  return matches.length === 0 ? null : matches.map((m) => s.slice(m.start, m.end));
}

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
  ['regexReplaceAll', fn(['string', 'string', 'string'], ([r, s, t]) => replaceAll(r as string, s as string, (m) => expand(t as string, m)))],
  ['mustRegexReplaceAll', fn(['string', 'string', 'string'], ([r, s, t]) => replaceAll(r as string, s as string, (m) => expand(t as string, m)))],
  ['regexReplaceAllLiteral', fn(['string', 'string', 'string'], ([r, s, t]) => replaceAll(r as string, s as string, () => t as string))],
  ['mustRegexReplaceAllLiteral', fn(['string', 'string', 'string'], ([r, s, t]) => replaceAll(r as string, s as string, () => t as string))],
  ['regexSplit', fn(['string', 'string', 'int'], ([r, s, n]) => split(r as string, s as string, Number(n)))],
  ['mustRegexSplit', fn(['string', 'string', 'int'], ([r, s, n]) => split(r as string, s as string, Number(n)))],
  ['regexQuoteMeta', fn(['string'], ([s]) => quoteMeta(s as string))],
]);
