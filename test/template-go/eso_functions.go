package main

// ESO's own template functions (external-secrets runtime/template/v2: pkcs12.go, pem.go,
// pem_chain.go, jwk.go, decrypt.go, yaml.go; and htpasswd from its vendored sprig), written here
// from their documented behaviour on the same libraries and versions ESO uses: Go's crypto/x509 and
// encoding/pem, software.sslmate.com/src/go-pkcs12 v0.7.0, lestrrat-go/jwx/v2 v2.1.6 and
// sigs.k8s.io/yaml v1.6.0. Where ESO dereferences a nil PEM block (no PEM in the input), so does
// this code: text/template turns the panic into an execution error, as it does in ESO.

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"golang.org/x/crypto/bcrypt"
	"sigs.k8s.io/yaml"
	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

var esoFuncs = map[string]any{
	"pkcs12key":                 func(in string) (string, error) { return p12Key("", in) },
	"pkcs12keyPass":             p12Key,
	"pkcs12cert":                func(in string) (string, error) { return p12Cert("", in) },
	"pkcs12certPass":            p12Cert,
	"pemToPkcs12":               func(c, k string) (string, error) { return pemToP12(c, k, "", false) },
	"pemToPkcs12Pass":           func(c, k, p string) (string, error) { return pemToP12(c, k, p, false) },
	"fullPemToPkcs12":           func(c, k string) (string, error) { return pemToP12(c, k, "", true) },
	"fullPemToPkcs12Pass":       func(c, k, p string) (string, error) { return pemToP12(c, k, p, true) },
	"pemTruststoreToPKCS12":     func(c string) (string, error) { return truststoreP12(c, "") },
	"pemTruststoreToPKCS12Pass": truststoreP12,
	"filterPEM":                 filterPEM,
	"filterCertChain":           filterCertChain,
	"certSANs":                  certSANs,
	"jwkPublicKeyPem":           jwkPublic,
	"jwkPrivateKeyPem":          jwkPrivate,
	"toYaml":                    toYaml,
	"fromYaml":                  fromYaml,
	"rsaDecrypt":                rsaDecrypt,
}

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// p12Key: the PKCS#12's private key as a PKCS#8 "PRIVATE KEY" PEM block.
func p12Key(pass, in string) (string, error) {
	key, _, _, err := gopkcs12.DecodeChain([]byte(in), pass)
	if err != nil {
		return "", fmt.Errorf("unable to decode pkcs12 with password: %s", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return pemString("PRIVATE KEY", der), nil
}

// p12Cert: the leaf then the CA certificates as PEM, reordered leaf→root when they form one chain.
func p12Cert(pass, in string) (string, error) {
	_, leaf, cas, err := gopkcs12.DecodeChain([]byte(in), pass)
	if err != nil {
		return "", fmt.Errorf("unable to decode pkcs12 certificate with password: %s", err)
	}
	all := pemString("CERTIFICATE", leaf.Raw)
	for _, c := range cas {
		all += pemString("CERTIFICATE", c.Raw)
	}
	chain, err := orderChain([]byte(all))
	if err != nil {
		return all, nil
	}
	var out strings.Builder
	for _, c := range chain {
		out.WriteString(pemString("CERTIFICATE", c.Raw))
	}
	return out.String(), nil
}

// firstKey parses a private key as PKCS#1, then PKCS#8, then SEC 1 (EC).
func firstKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("unable to parse private key type")
}

func certsFrom(rest []byte) ([]*x509.Certificate, error) {
	certs := []*x509.Certificate{}
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		c, err := x509.ParseCertificate(b.Bytes) // nil block: panics, as ESO does
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// pemToP12: the first certificate (and, when full, the following ones as CAs) and the key as a
// base64 PKCS#12 (go-pkcs12 Modern encoder).
func pemToP12(cert, key, pass string, full bool) (string, error) {
	cb, rest := pem.Decode([]byte(cert))
	leaf, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return "", err
	}
	var cas []*x509.Certificate
	if full {
		if cas, err = certsFrom(rest); err != nil {
			return "", err
		}
	}
	kb, _ := pem.Decode([]byte(key))
	k, err := firstKey(kb.Bytes)
	if err != nil {
		return "", err
	}
	pfx, err := gopkcs12.Modern.Encode(k, leaf, cas, pass)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(pfx), nil
}

func truststoreP12(cert, pass string) (string, error) {
	cas, err := certsFrom([]byte(cert))
	if err != nil {
		return "", err
	}
	pfx, err := gopkcs12.Modern.EncodeTrustStore(cas, pass)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(pfx), nil
}

// fromFirstBegin drops anything before the first "-----BEGIN".
func fromFirstBegin(s string) string {
	if i := strings.Index(s, "-----BEGIN"); i >= 0 {
		return s[i:]
	}
	return s
}

// filterPEM keeps the blocks whose type equals pemType (case-insensitively), re-encoded by
// pem.Encode (headers kept); input with no matching block and undecodable rest is "junk".
func filterPEM(pemType, input string) (string, error) {
	rest := []byte(fromFirstBegin(input))
	var out bytes.Buffer
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if strings.EqualFold(b.Type, pemType) {
			if err := pem.Encode(&out, b); err != nil {
				return "", err
			}
		}
	}
	if out.Len() == 0 && len(rest) != 0 {
		return "", errors.New("error filtering pem: found junk")
	}
	return out.String(), nil
}

// orderChain parses every PEM block as a certificate and orders them leaf → root by matching each
// certificate's authority key id to another's subject key id.
func orderChain(data []byte) ([]*x509.Certificate, error) {
	type link struct {
		cert     *x509.Certificate
		parent   *link
		isParent bool
	}
	var links []*link
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		links = append(links, &link{cert: c})
	}
	for i := range links {
		for j := range links {
			if i != j && bytes.Equal(links[i].cert.AuthorityKeyId, links[j].cert.SubjectKeyId) {
				links[j].isParent = true
				links[i].parent = links[j]
				break
			}
		}
	}
	var leaf *link
	for _, l := range links {
		if !l.isParent {
			if leaf != nil {
				return nil, errors.New("found multiple leaf or disjunct certificates")
			}
			leaf = l
		}
	}
	if leaf == nil {
		return nil, errors.New("no leaf certificate found")
	}
	var chain []*x509.Certificate
	for n := leaf; n != nil; n = n.parent {
		if len(chain) >= len(links) {
			return nil, errors.New("constructing chain resulted in cycle")
		}
		chain = append(chain, n.cert)
	}
	return chain, nil
}

func selfIssued(c *x509.Certificate) bool {
	return c.AuthorityKeyId == nil || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId)
}

// filterCertChain: "leaf", "intermediate" or "root" of the ordered chain; "" when absent.
func filterCertChain(kind, input string) (string, error) {
	chain, err := orderChain([]byte(input))
	if err != nil {
		return "", err
	}
	switch kind {
	case "leaf":
		if c := chain[0]; c.AuthorityKeyId != nil && !bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId) {
			return pemString("CERTIFICATE", c.Raw), nil
		}
	case "intermediate":
		var out strings.Builder
		if len(chain) < 2 {
			return "", nil
		}
		for _, c := range chain[1:] {
			if selfIssued(c) {
				break
			}
			out.WriteString(pemString("CERTIFICATE", c.Raw))
		}
		return out.String(), nil
	case "root":
		if c := chain[len(chain)-1]; selfIssued(c) {
			return pemString("CERTIFICATE", c.Raw), nil
		}
	}
	return "", nil
}

// certSANs: DNS names, IP addresses, e-mail addresses and URIs of the first certificate, in that order.
func certSANs(input string) ([]string, error) {
	b, _ := pem.Decode([]byte(fromFirstBegin(input)))
	if b == nil {
		return nil, errors.New("failed to decode PEM block")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate: %w", err)
	}
	out := make([]string, 0, len(c.DNSNames)+len(c.IPAddresses)+len(c.EmailAddresses)+len(c.URIs))
	out = append(out, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, c.EmailAddresses...)
	for _, u := range c.URIs {
		out = append(out, u.String())
	}
	return out, nil
}

func jwkPublic(j string) (string, error) {
	k, err := jwk.ParseKey([]byte(j))
	if err != nil {
		return "", err
	}
	var raw any
	if err := k.Raw(&raw); err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(raw)
	if err != nil {
		return "", err
	}
	return pemString("PUBLIC KEY", der), nil
}

func jwkPrivate(j string) (string, error) {
	k, err := jwk.ParseKey([]byte(j))
	if err != nil {
		return "", err
	}
	var raw any
	if err := k.Raw(&raw); err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(raw)
	if err != nil {
		return "", err
	}
	return pemString("PRIVATE KEY", der), nil
}

// toYaml: sigs.k8s.io/yaml Marshal without the final newline; "" on error.
func toYaml(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// fromYaml: a map; on error the map holds the message under "Error".
func fromYaml(s string) map[string]any {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func oaepHash(name string) hash.Hash {
	switch name {
	case "SHA1":
		return crypto.SHA1.New()
	case "SHA512":
		return sha512.New()
	default: // "None", "SHA256" and anything else
		return sha256.New()
	}
}

// rsaDecrypt: scheme "None" returns the input; "RSA-OAEP" decrypts with the PEM private key.
func rsaDecrypt(scheme, hashName, in, privateKey string) (string, error) {
	switch scheme {
	case "None":
		return in, nil
	case "RSA-OAEP":
		b, _ := pem.Decode([]byte(privateKey))
		if b == nil {
			return "", errors.New("failed to decode PEM block")
		}
		k, err := firstKey(b.Bytes)
		if err != nil {
			return "", fmt.Errorf("%w: %v", errors.New("could not parse private key"), err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return "", errors.New("could not parse RSA private key")
		}
		out, err := rsa.DecryptOAEP(oaepHash(hashName), nil, rk, []byte(in), nil)
		if err != nil {
			return "", fmt.Errorf("%w: %v", errors.New("error decrypting data with RSA"), err)
		}
		return string(out), nil
	default:
		return "", fmt.Errorf("decryption scheme %v is not supported", scheme)
	}
}

// HashAlgorithm is a named string type in ESO's sprig: a literal converts to it, a string value from
// a pipeline does not (text/template refuses the call), so the type is named here too.
type HashAlgorithm string

// htpasswd as in ESO's vendored sprig: "sha" gives user:{SHA}base64(sha1), anything else bcrypt.
func htpasswd(user, password string, algorithm HashAlgorithm) string {
	if strings.Contains(user, ":") {
		return "invalid username: " + user
	}
	if algorithm == "sha" {
		sum := sha1.Sum([]byte(password))
		return user + ":{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return user + ":" + fmt.Sprintf("failed to encrypt string with bcrypt: %s", err)
	}
	return user + ":" + string(h)
}
