// Package main renders templates the way ESO's v2 engine does (runtime/template/v2/template.go,
// func execute): Go's text/template with Option("missingkey=error"), the default {{ }} delimiters,
// the data as map[string]string built from the secret's map[string][]byte, and the function map of
// sprig's TxtFuncMap (minus env, expandenv and getHostByName, as ESO's vendored sprig removes them)
// overlaid with ESO's own functions.
//
// ESO's runtime module is not available from the Go module proxy (it is an unpublished nested
// module with a replace directive for its apis module), so ESO's functions are written here on the
// same libraries and versions ESO uses (see eso_functions.go). This file holds no ESO code.
package main

import (
	"bytes"
	"encoding/hex"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// funcs is ESO's function map: sprig v3.3.0's TxtFuncMap with ESO's removals and additions.
var funcs = buildFuncs()

func buildFuncs() template.FuncMap {
	m := sprig.TxtFuncMap()
	// ESO's vendored sprig (runtime/template/v2/sprig/README.md) drops these three.
	delete(m, "env")
	delete(m, "expandenv")
	delete(m, "getHostByName")
	// ESO's vendored sprig is sprig at v3.3.1-0.20241028115027-8cb06fe3c8b0 plus `hexdec`; the one
	// function that changed between v3.3.0 and that commit is htpasswd, which gained a hash argument.
	m["hexdec"] = hexdec
	m["htpasswd"] = htpasswd
	for k, v := range esoFuncs {
		m[k] = v
	}
	return m
}

// hexdec decodes hex; on failure it returns the error text as the result (ESO's sprig behaviour).
func hexdec(v string) string {
	b, err := hex.DecodeString(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// render parses and executes one template as ESO's execute does; data values are Go strings of the
// secret's bytes. The error is text/template's own (parse or exec).
func render(name, source string, data map[string]string) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Delims("{{", "}}").Parse(source)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
