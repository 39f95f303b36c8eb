/**
 * Unicode class names in Go 1.26's regexp (regexp/syntax parse.go unicodeTable): a name in `\p{…}`
 * is first put in canonical form (canonicalName: `_`, `-` and spaces dropped, the first letter
 * upper-case, the rest lower-case), then looked up among unicode.Categories, unicode.Scripts and
 * unicode.CategoryAliases (the aliases by their canonical form), with `Any`, `Assigned`, `Ascii`
 * and `Lc` (for `LC`) handled on their own. So `\p{letter}`, `\p{Letter}` and `\p{latin}` are
 * classes in Go, while a script whose name has two words (`\p{Old_Italic}`: canonical
 * `Olditalic`, which no table has) or a Unicode 16 script (`\p{Garay}`) is "invalid character class
 * range". re2js accepts the table names as Unicode spells them only, so go-regexp.ts rewrites each
 * class to the name re2js knows (or refuses it) with goUnicodeClassName.
 *
 * The list is every canonical name Go 1.26's unicodeTable finds, `canonical=table` where they
 * differ, printed by a Go program from those maps (kept outside the repository).
 */

// prettier-ignore
const GO_CLASS_NAMES = `
  Adlam Ahom Arabic Armenian Avestan Balinese Bamum Batak Bengali Bhaiksuki Bopomofo Brahmi Braille
  Buginese Buhid C Carian Casedletter=LC Cc Cf Chakma Cham Cherokee Chorasmian Closepunctuation=Pe
  Cn Cntrl=Cc Co Combiningmark=M Common Connectorpunctuation=Pc Control=Cc Coptic Cs Cuneiform
  Currencysymbol=Sc Cypriot Cyrillic Dashpunctuation=Pd Decimalnumber=Nd Deseret Devanagari
  Digit=Nd Dogra Duployan Elbasan Elymaic Enclosingmark=Me Ethiopic Finalpunctuation=Pf Format=Cf
  Georgian Glagolitic Gothic Grantha Greek Gujarati Gurmukhi Han Hangul Hanunoo Hatran Hebrew
  Hiragana Inherited Initialpunctuation=Pi Javanese Kaithi Kannada Katakana Kawi Kharoshthi Khmer
  Khojki Khudawadi L Lao Latin Lepcha Letter=L Letternumber=Nl Limbu Lineseparator=Zl Lisu Ll Lm Lo
  Lowercaseletter=Ll Lt Lu Lycian Lydian M Mahajani Makasar Malayalam Mandaic Manichaean Marchen
  Mark=M Mathsymbol=Sm Mc Me Medefaidrin Miao Mn Modi Modifierletter=Lm Modifiersymbol=Sk Mongolian
  Mro Multani Myanmar N Nabataean Nandinagari Nd Newa Nko Nl No Nonspacingmark=Mn Number=N Nushu
  Ogham Openpunctuation=Ps Oriya Osage Osmanya Other=C Otherletter=Lo Othernumber=No
  Otherpunctuation=Po Othersymbol=So P Palmyrene Paragraphseparator=Zp Pc Pd Pe Pf Phoenician Pi Po
  Privateuse=Co Ps Punct=P Punctuation=P Rejang Runic S Samaritan Saurashtra Sc Separator=Z Sharada
  Shavian Siddham Sinhala Sk Sm So Sogdian Soyombo Spaceseparator=Zs Spacingmark=Mc Sundanese
  Surrogate=Cs Symbol=S Syriac Tagalog Tagbanwa Takri Tamil Tangsa Tangut Telugu Thaana Thai
  Tibetan Tifinagh Tirhuta Titlecaseletter=Lt Toto Ugaritic Unassigned=Cn Uppercaseletter=Lu Vai
  Vithkuqi Wancho Yezidi Yi Z Zl Zp Zs
`;

const NAMES: ReadonlyMap<string, string> = new Map(
  GO_CLASS_NAMES.trim().split(/\s+/).map((entry) => {
    const [canonical, table] = entry.split('=') as [string, string | undefined];
    return [canonical, table ?? canonical];
  }),
);

/** Go's canonicalName (regexp/syntax parse.go), over the name's bytes (only ASCII letters change case). */
export function goCanonicalClassName(name: string): string {
  let out = '';
  let first = true;
  for (const c of name) {
    if (c === '_' || c === '-' || c === ' ') continue;
    if (first) {
      out += c >= 'a' && c <= 'z' ? c.toUpperCase() : c;
      first = false;
    } else out += c >= 'A' && c <= 'Z' ? c.toLowerCase() : c;
  }
  return out;
}

/**
 * What Go 1.26 finds for the class name `name` (as written in `\p{name}` or `\pN`):
 * `Any`, `Assigned` or `Ascii` (the special cases), the Unicode table name re2js knows (`LC`, `L`,
 * `Greek`, `Nd`, …), or undefined when Go has no such class ("invalid character class range").
 */
export function goUnicodeClassName(name: string): string | undefined {
  const canonical = goCanonicalClassName(name);
  if (canonical === 'Any' || canonical === 'Assigned' || canonical === 'Ascii') return canonical;
  if (canonical === 'Lc') return 'LC';
  return NAMES.get(canonical);
}
