// A service that keeps every record it ingested in a global slice (16 MiB of payloads), and a
// small cache in a second global: the retention view must name the first as the top holder.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

type record struct {
	id      int
	payload []byte
}

// A long name on purpose: the test rewrites it in the binary's symbol table to hostile markup of
// the same length.
var recordsKeptByTheRetentionViewTest []*record

var smallCache = map[int][]byte{}

// Not inlined, so the dump's allocation stacks name it; fillCache is inlined into main, and only a
// heap profile beside the dump can name it.
//
//go:noinline
func ingest(n int) {
	for i := 0; i < n; i++ {
		recordsKeptByTheRetentionViewTest = append(recordsKeptByTheRetentionViewTest, &record{id: i, payload: make([]byte, 4096)})
	}
}

func fillCache() {
	for i := 0; i < 64; i++ {
		smallCache[i] = make([]byte, 8192)
	}
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	flag.Parse()
	ingest(4000)
	fillCache()
	runtime.GC()
	if addr != nil && *addr != "" {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		go http.Serve(ln, nil)
	}
	fmt.Println("ready")
	select {}
}
