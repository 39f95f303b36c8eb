package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
)

// request is one JSON line: a template and its data, each value the base64 of the secret's bytes.
type request struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	Data     map[string]string `json:"data"`
	// Gjson, when set, asks for gjson.Get(JSON, Path).String() instead of a template (ESO's azurekv
	// getProperty; test/unit/providers/azurekv/gjson-go.test.ts): Output is that string, Error is
	// !Exists().
	Gjson *struct {
		JSON string `json:"json"`
		Path string `json:"path"`
	} `json:"gjson,omitempty"`
}

// response is one JSON line: the output's base64, or error=true with Go's message.
type response struct {
	Name    string `json:"name"`
	Output  string `json:"output"`
	Error   bool   `json:"error"`
	Message string `json:"message,omitempty"`
}

func decodeData(in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("data %q is not base64: %w", k, err)
		}
		out[k] = string(b) // ESO: strValData[k] = string(data[k])
	}
	return out, nil
}

// handle answers one request line.
func handle(line []byte) []byte {
	var req request
	var res response
	if err := json.Unmarshal(line, &req); err != nil {
		res = response{Error: true, Message: "bad request: " + err.Error()}
	} else if req.Gjson != nil {
		r := gjson.Get(req.Gjson.JSON, req.Gjson.Path)
		res = response{Name: req.Name, Output: base64.StdEncoding.EncodeToString([]byte(r.String())), Error: !r.Exists()}
	} else if data, err := decodeData(req.Data); err != nil {
		res = response{Name: req.Name, Error: true, Message: "bad request: " + err.Error()}
	} else if out, err := render(req.Name, req.Template, data); err != nil {
		res = response{Name: req.Name, Error: true, Message: err.Error()}
	} else {
		res = response{Name: req.Name, Output: base64.StdEncoding.EncodeToString(out)}
	}
	b, _ := json.Marshal(res)
	return b
}
