// leakyheap grows a few caches through distinct call paths, then writes two heap profiles:
// one after a first phase and one after a second phase in which only some paths keep growing.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
)

var (
	sessions [][]byte
	index    = map[int]string{}
	blobs    [][]byte
)

//go:noinline
func addSession(size int) { sessions = append(sessions, make([]byte, size)) }

//go:noinline
func handleLogin(n int) {
	for i := 0; i < n; i++ {
		addSession(4096)
	}
}

//go:noinline
func indexDocument(i int) { index[i] = strings.Repeat("x", 512) }

//go:noinline
func buildIndex(from, to int) {
	for i := from; i < to; i++ {
		indexDocument(i)
	}
}

//go:noinline
func storeBlob(size int) { blobs = append(blobs, make([]byte, size)) }

//go:noinline
func ingest(n int) {
	for i := 0; i < n; i++ {
		storeBlob(64 << 10)
	}
}

func writeHeap(path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	before := flag.String("before", "before.pb.gz", "heap profile after phase one")
	after := flag.String("after", "after.pb.gz", "heap profile after phase two")
	flag.Parse()
	runtime.MemProfileRate = 4096
	handleLogin(2000)
	buildIndex(0, 4000)
	ingest(40)
	writeHeap(*before)
	// Phase two: sessions keep leaking, the index stays, blobs are dropped.
	handleLogin(6000)
	blobs = nil
	writeHeap(*after)
	fmt.Println(len(sessions), len(index))
}
