package main

import (
	"encoding/json"
	"sort"
	"time"
)

// benchLine renders one request n times (parse + execute, as ESO does per key and sync) and answers
// {name, p50Micros, p99Micros}.
func benchLine(line []byte, n int) []byte {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		b, _ := json.Marshal(map[string]any{"error": err.Error()})
		return b
	}
	data, err := decodeData(req.Data)
	if err != nil {
		b, _ := json.Marshal(map[string]any{"error": err.Error()})
		return b
	}
	times := make([]float64, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		_, _ = render(req.Name, req.Template, data)
		times[i] = float64(time.Since(start).Nanoseconds()) / 1000
	}
	sort.Float64s(times)
	b, _ := json.Marshal(map[string]any{"name": req.Name, "p50Micros": times[n/2], "p99Micros": times[(n*99)/100]})
	return b
}
