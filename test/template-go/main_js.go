//go:build js && wasm

package main

import "syscall/js"

// In WebAssembly (GOOS=js) the renderer is a function on globalThis: projectorGoRender(line) takes a
// request JSON line and returns the response JSON line, synchronously.
func main() {
	js.Global().Set("projectorGoRender", js.FuncOf(func(this js.Value, args []js.Value) any {
		return string(handle([]byte(args[0].String())))
	}))
	select {}
}
