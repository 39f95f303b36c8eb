/**
 * The cases of the differential corpus (differential-corpus.ts) on which Projector's engine and Go
 * disagree today, each with its root cause: 1–8 are the causes listed in issue 8, `unsupported` is a
 * sprig function Projector does not implement, `limit` is Projector's output limit, and
 * `error message withholds value` is reserved for a case where Projector must differ from Go because
 * Go's result would carry a secret value (none so far: error messages are not compared).
 *
 * go-differential.test.ts fails when a case differs and is not here, and when a case here agrees:
 * a fix that lands takes its cases off this list, so the list only shrinks. Hand-written cases were
 * reviewed one by one; generated cases (gen/NNNN, seed GENERATOR_SEED) were assigned a cause by the
 * rules in the test's suggestCause and spot-checked. A cause here is the first one a fix must remove:
 * e.g. `.pfx | pkcs12key` on raw PKCS#12 bytes is 3 (the function is missing) even though the bytes
 * would also trip 2.
 */
export type DifferenceCause = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 'unsupported' | 'limit' | 'error message withholds value';

export const KNOWN_DIFFERENCES: Readonly<Record<string, DifferenceCause>> = {
  // 1. Regular expressions (Go RE2 semantics).
  // 2. Go strings are bytes: none left (every function takes bytes that are not UTF-8 as Go does).
  // 3. ESO's own functions not implemented yet (PKCS#12, certificate chains, certSANs, JWK, rsaDecrypt).
  "time-random/genSelfSignedCert-shape": 3, // only-projector-fails
  // 4. filterPEM: PEM headers (Proc-Type, DEK-Info) dropped; blocks Go's encoding/pem rejects.
  // 5. YAML as sigs.k8s.io/yaml reads and writes it (dates and 12:30:45 stay strings, quoting, folding, error texts).
  "encoding/toYaml-scalars": 5, // output-differs
  "encoding/toYaml-string": 5, // output-differs
  "encoding/toYaml-long-line": 5, // output-differs
  "encoding/fromYaml-error": 5, // output-differs
  "gen/0021": 5, "gen/0367": 5, "gen/0532": 5, "gen/0559": 5, 
  "gen/2093": 5, "gen/2301": 5, 
  // 6. Go types: []string / []int / int64 / float64 distinct, nil slices print [], complex literals.
  "language/literal-complex": 6, // only-projector-fails
  // 7. printf: Go's fmt verbs and flags (%#v, %x on floats, % x, %[n], *, %O, %c of invalid code points).
  // 8. Text and number functions: Unicode simple case mapping, xstrings case conversions, js escapes, atoi/float
  //    parsing (overflow, NaN, Inf, 0x1p4), mergeOverwrite with empty values, seq/until argument types.
  "encoding/fromJson-big-number": 8, // output-differs
  "edge/control-chars": 8, // output-differs
  // sprig functions Projector does not implement: time and randomness (deliberately absent from the pure core),
  // crypto generators, password hashes, paths, semver, URLs, wrap, swapcase, chunk, deepCopy, hexdec, hello.
  "strings/shuffle-len": "unsupported", // only-projector-fails
  "strings/hexdec": "unsupported", // only-projector-fails
  "strings/htpasswd-sha": "unsupported", // only-projector-fails
  "strings/htpasswd-bcrypt-shape": "unsupported", // only-projector-fails
  "strings/htpasswd-bad-user": "unsupported", // only-projector-fails
  "strings/bcrypt-shape": "unsupported", // only-projector-fails
  "strings/derivePassword": "unsupported", // only-projector-fails
  "strings/encryptAES-roundtrip": "unsupported", // only-projector-fails
  "strings/hello": "unsupported", // only-projector-fails
  "collections/chunk": "unsupported", // only-projector-fails
  "collections/deepCopy": "unsupported", // only-projector-fails
  "numbers/toDecimal": "unsupported", // only-projector-fails
  "numbers/randInt-range": "unsupported", // only-projector-fails
  "encoding/urlJoin": "unsupported", // only-projector-fails
  "encoding/path-functions": "unsupported", // only-projector-fails
  "encoding/semver": "unsupported", // only-projector-fails
  "time-random/date-fixed": "unsupported", // only-projector-fails
  "time-random/date-int": "unsupported", // only-projector-fails
  "time-random/dateInZone": "unsupported", // only-projector-fails
  "time-random/date-modify": "unsupported", // only-projector-fails
  "time-random/toDate-bad": "unsupported", // only-projector-fails
  "time-random/unixEpoch": "unsupported", // only-projector-fails
  "time-random/htmlDate": "unsupported", // only-projector-fails
  "time-random/duration": "unsupported", // only-projector-fails
  "time-random/now-type": "unsupported", // only-projector-fails
  "time-random/ago-type": "unsupported", // only-projector-fails
  "time-random/randAlphaNum-len": "unsupported", // only-projector-fails
  "time-random/randBytes-shape": "unsupported", // only-projector-fails
  "time-random/uuidv4-shape": "unsupported", // only-projector-fails
  "time-random/genPrivateKey-shape": "unsupported", // only-projector-fails
  "time-random/genCA-shape": "unsupported", // only-projector-fails
  "gen/0413": "unsupported", 
  "gen/1703": "unsupported", "gen/1789": "unsupported", 
  "gen/1957": "unsupported", "gen/2060": "unsupported", 
  "gen/2466": "unsupported", "gen/2547": "unsupported",
  "gen/2566": "unsupported", "gen/2620": "unsupported", "gen/2647": "unsupported",
  "gen/2901": "unsupported", 
  // Projector's guard rail: rendered output over 1 MiB fails (kind `limit`); Go has no limit. Deliberate.
  "edge/huge-output-over-1mib": "limit", // only-projector-fails
  // Found still differing after the printf, YAML and Go-types fixes (listed with their cause):
  "gen/0084": "unsupported", // only-projector-fails
  "gen/0225": "unsupported", // only-projector-fails
  "gen/0313": "unsupported", // only-projector-fails
  "gen/0539": "unsupported", // only-projector-fails
  "gen/0685": "unsupported", // only-projector-fails
  "gen/0962": "unsupported", // only-projector-fails
  "gen/1059": "unsupported", // only-projector-fails
  "gen/1375": 5, // output-differs
  "gen/1690": "unsupported", // only-projector-fails
  "gen/1712": 5, // output-differs
  "gen/2187": "unsupported", // only-projector-fails
  "gen/2419": "unsupported", // only-projector-fails
  "gen/2456": "unsupported", // only-projector-fails
  "gen/2704": "unsupported", // only-projector-fails
  "gen/2720": "unsupported", // only-projector-fails
  "gen/2731": "unsupported", // only-projector-fails
  "gen/2776": "unsupported", // only-projector-fails
};
