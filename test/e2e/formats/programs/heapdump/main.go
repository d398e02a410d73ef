// Writes a heap dump of itself with runtime/debug.WriteHeapDump, for the input sniffer's tests.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"
)

var kept [][]byte

func main() {
	out := flag.String("out", "heap.dump", "where to write the heap dump")
	flag.Parse()
	for i := 0; i < 100; i++ {
		kept = append(kept, make([]byte, 1024))
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
