/**
 * sprig v3.3.0's urlParse and urlJoin (url.go), on a port of the parts of Go's net/url (Go 1.26,
 * url.go) they use: Parse (scheme, opaque, authority with userinfo and host, percent-decoding of
 * path and fragment, the errors) and (*URL).String (escaping path, host, userinfo and fragment).
 * Go works on bytes: strings are taken as byte strings (core/go-string.ts) and turned back.
 * Error messages: Go's quote the URL; Projector names only the reason, since the URL may be a secret.
 */
import { fromByteString, toByteString } from '../go-string.ts';
import { fn, type TemplateFunc } from './func-table.ts';
import { parseGoAddr } from './go-netip.ts';
import { FuncError } from './template-error.ts';
import { goKindName, type GoMap } from './values.ts';

type Mode = 'path' | 'pathSegment' | 'host' | 'zone' | 'userPassword' | 'queryComponent' | 'fragment';

/** net/url's shouldEscape (gen_encoding_table.go, which generates the table url.go reads). */
function shouldEscape(c: number, mode: Mode): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return ch === '?';
      case 'pathSegment':
        return '/;,?'.includes(ch);
      case 'userPassword':
        return '@/?:'.includes(ch);
      case 'queryComponent':
        return true;
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const unhex = (c: string) => parseInt(c, 16);

/** net/url's unescape over a byte string; FuncError with Go's reason (the offending text left out). */
function unescape(s: string, mode: Mode): string {
  let n = 0;
  let hasPlus = false;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      n++;
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) throw new FuncError('invalid URL escape');
      if (mode === 'host' && unhex(s[i + 1]!) < 8 && s.slice(i, i + 3) !== '%25') throw new FuncError('invalid URL escape');
      if (mode === 'zone') {
        const v = (unhex(s[i + 1]!) << 4) | unhex(s[i + 2]!);
        if (s.slice(i, i + 3) !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) throw new FuncError('invalid URL escape');
      }
      i += 3;
    } else if (c === '+') {
      hasPlus = mode === 'queryComponent';
      i++;
    } else {
      const b = s.charCodeAt(i);
      if ((mode === 'host' || mode === 'zone') && b < 0x80 && shouldEscape(b, mode)) throw new FuncError('invalid character in host name');
      i++;
    }
  }
  if (n === 0 && !hasPlus) return s;
  let t = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      t += String.fromCharCode((unhex(s[i + 1]!) << 4) | unhex(s[i + 2]!));
      i += 2;
    } else if (c === '+') t += mode === 'queryComponent' ? ' ' : '+';
    else t += c;
  }
  return t;
}

/** net/url's escape over a byte string. */
function escape(s: string, mode: Mode): string {
  let t = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 && mode === 'queryComponent') t += '+';
    else if (shouldEscape(c, mode)) t += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else t += s[i];
  }
  return t;
}

interface Userinfo {
  readonly username: string;
  readonly password: string;
  readonly passwordSet: boolean;
}

interface Url {
  scheme: string;
  opaque: string;
  user: Userinfo | null;
  host: string;
  path: string;
  rawPath: string;
  fragment: string;
  rawFragment: string;
  rawQuery: string;
  forceQuery: boolean;
  omitHost: boolean;
}

function emptyUrl(): Url {
  return { scheme: '', opaque: '', user: null, host: '', path: '', rawPath: '', fragment: '', rawFragment: '', rawQuery: '', forceQuery: false, omitHost: false };
}

function userinfoString(u: Userinfo): string {
  return escape(u.username, 'userPassword') + (u.passwordSet ? `:${escape(u.password, 'userPassword')}` : '');
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new FuncError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  return port[0] === ':' && /^[0-9]*$/.test(port.slice(1));
}

function validUserinfo(s: string): boolean {
  // Go ranges over runes; every allowed rune is ASCII, so a byte test decides the same.
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseHost(scheme: string, host: string): string {
  const open = host.lastIndexOf('[');
  if (open > 0) throw new FuncError('invalid IP-literal');
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new FuncError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new FuncError('invalid port after host');
    const port = unescape(colonPort, 'host');
    const hostname = host.slice(1, close);
    const zoneIdx = hostname.indexOf('%25');
    const unescaped = zoneIdx >= 0 ? unescape(hostname.slice(0, zoneIdx), 'host') + unescape(hostname.slice(zoneIdx), 'zone') : unescape(hostname, 'host');
    // Go parses the literal as a byte string; a byte above 0x7f is never part of an address.
    const addr = parseGoAddr(unescaped);
    if (!addr) throw new FuncError('invalid host');
    if (addr.bytes.length === 4) throw new FuncError('invalid IP-literal');
    return `[${unescaped}]${port}`;
  }
  let i = host.indexOf(':');
  if (i !== -1) {
    const last = host.lastIndexOf(':');
    // Go 1.26's default (GODEBUG urlstrictcolons=1) keeps the first colon for http and https.
    if (last !== i && scheme !== 'http' && scheme !== 'https') i = last;
    if (!validOptionalPort(host.slice(i))) throw new FuncError('invalid port after host');
  }
  return unescape(host, 'host');
}

function parseAuthority(scheme: string, authority: string): [Userinfo | null, string] {
  const i = authority.lastIndexOf('@');
  const host = parseHost(scheme, i < 0 ? authority : authority.slice(i + 1));
  if (i < 0) return [null, host];
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new FuncError('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  if (colon < 0) return [{ username: unescape(userinfo, 'userPassword'), password: '', passwordSet: false }, host];
  return [{ username: unescape(userinfo.slice(0, colon), 'userPassword'), password: unescape(userinfo.slice(colon + 1), 'userPassword'), passwordSet: true }, host];
}

function parseNoFragment(raw: string): Url {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new FuncError('net/url: invalid control character in URL');
  const url = emptyUrl();
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      url.opaque = rest;
      return url;
    }
    if (rest.split('/')[0]!.includes(':')) throw new FuncError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    [url.user, url.host] = parseAuthority(url.scheme, authority);
  } else if (url.scheme !== '' && rest.startsWith('/')) url.omitHost = true;
  url.path = unescape(rest, 'path');
  url.rawPath = escape(url.path, 'path') === rest ? '' : rest;
  return url;
}

/** url.Parse over a byte string. */
function parseUrl(raw: string): Url {
  const hash = raw.indexOf('#');
  const url = parseNoFragment(hash < 0 ? raw : raw.slice(0, hash));
  const frag = hash < 0 ? '' : raw.slice(hash + 1);
  if (frag === '') return url;
  url.fragment = unescape(frag, 'fragment');
  url.rawFragment = escape(url.fragment, 'fragment') === frag ? '' : frag;
  return url;
}

function validEncoded(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; i++) {
    if (`!$&'()*+,;=:@[]%`.includes(s[i]!)) continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

function escapedRaw(raw: string, decoded: string, mode: Mode): string | undefined {
  if (raw === '' || !validEncoded(raw, mode)) return undefined;
  try {
    return unescape(raw, mode) === decoded ? raw : undefined;
  } catch (e) {
    if (e instanceof FuncError) return undefined;
    throw e;
  }
}

/** (*URL).String. */
function urlString(u: Url): string {
  let buf = '';
  if (u.scheme !== '') buf += `${u.scheme}:`;
  if (u.opaque !== '') buf += u.opaque;
  else {
    if ((u.scheme !== '' || u.host !== '' || u.user !== null) && !(u.omitHost && u.host === '' && u.user === null)) {
      if (u.host !== '' || u.path !== '' || u.user !== null) buf += '//';
      if (u.user) buf += `${userinfoString(u.user)}@`;
      if (u.host !== '') buf += escape(u.host, 'host');
    }
    const path = escapedRaw(u.rawPath, u.path, 'path') ?? (u.path === '*' ? '*' : escape(u.path, 'path'));
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/';
    if (buf.length === 0 && path.split('/')[0]!.includes(':')) buf += './';
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== '') buf += `?${u.rawQuery}`;
  if (u.fragment !== '') buf += `#${escapedRaw(u.rawFragment, u.fragment, 'fragment') ?? escape(u.fragment, 'fragment')}`;
  return buf;
}

/** url.URL.Hostname: the host without its port and without IPv6 brackets. */
function hostname(hostPort: string): string {
  let host = hostPort;
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) host = host.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host;
}

/** sprig's urlParse: the URL's parts as a dict of strings (path and fragment decoded, query raw). */
function urlParse(v: string): GoMap {
  let u: Url;
  try {
    u = parseUrl(toByteString(v));
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`unable to parse url: parse: ${e.message}`);
    throw e;
  }
  const s = fromByteString;
  return {
    scheme: s(u.scheme),
    host: s(u.host),
    hostname: s(hostname(u.host)),
    path: s(u.path),
    query: s(u.rawQuery),
    opaque: s(u.opaque),
    fragment: s(u.fragment),
    userinfo: u.user ? s(userinfoString(u.user)) : '',
  };
}

/** sprig's dictGetOrEmpty: a missing key is ''; a value that is not a string panics naming its kind. */
function dictString(d: GoMap, key: string): string {
  if (!Object.hasOwn(d, key)) return '';
  const v = d[key];
  if (typeof v !== 'string') {
    if (v === null || v === undefined) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
    throw new FuncError(`unable to parse ${key} key, must be of type string, but ${goKindName(v)} found`);
  }
  return toByteString(v);
}

/** sprig's urlJoin: a url.URL from the dict's parts (userinfo parsed as Go parses it), as String() writes it. */
function urlJoin(d: GoMap | null): string {
  const dict = d ?? {};
  const u = emptyUrl();
  u.scheme = dictString(dict, 'scheme');
  u.host = dictString(dict, 'host');
  u.path = dictString(dict, 'path');
  u.rawQuery = dictString(dict, 'query');
  u.opaque = dictString(dict, 'opaque');
  u.fragment = dictString(dict, 'fragment');
  const userinfo = dictString(dict, 'userinfo');
  if (userinfo !== '') {
    try {
      u.user = parseUrl(`proto://${userinfo}@host`).user;
    } catch (e) {
      if (e instanceof FuncError) throw new FuncError(`unable to parse userinfo in dict: parse: ${e.message}`);
      throw e;
    }
  }
  return fromByteString(urlString(u));
}

export const SPRIG_URL: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  ['urlParse', fn(['string'], ([v]) => urlParse(v as string))],
  ['urlJoin', fn(['dict'], ([d]) => urlJoin(d as GoMap | null))],
]);
