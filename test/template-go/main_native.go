//go:build !js && !wasip1

package main

import (
	"bufio"
	"flag"
	"os"
)

func main() {
	bench := flag.Int("bench", 0, "time each request this many times (parse+execute) and answer with timings")
	flag.Parse()
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 && !(len(line) == 1 && line[0] == '\n') {
			if *bench > 0 {
				out.Write(benchLine(line, *bench))
			} else {
				out.Write(handle(line))
			}
			out.WriteByte('\n')
		}
		if err != nil {
			return
		}
	}
}
