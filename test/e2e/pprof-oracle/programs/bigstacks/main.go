// bigstacks writes a large heap profile: every path through a binary call tree of the given depth
// allocates once, so the profile has 2^depth distinct stacks (samples). MemProfileRate is 1, so
// every allocation is recorded. Usage: bigstacks [-depth 17] OUT.pb.gz
package main

import (
	"flag"
	"os"
	"runtime"
	"runtime/pprof"
)

var sink [][]byte

//go:noinline
func left(depth int, path uint32, size int) {
	walk(depth-1, path<<1, size)
}

//go:noinline
func right(depth int, path uint32, size int) {
	walk(depth-1, path<<1|1, size)
}

//go:noinline
func walk(depth int, path uint32, size int) {
	if depth == 0 {
		b := make([]byte, size+int(path%61)*8)
		if path%3 == 0 {
			sink = append(sink, b)
		}
		return
	}
	left(depth, path, size)
	right(depth, path, size)
}

func main() {
	depth := flag.Int("depth", 17, "call tree depth (2^depth stacks)")
	flag.Parse()
	runtime.MemProfileRate = 1
	walk(*depth, 0, 64)
	runtime.GC()
	f, err := os.Create(flag.Arg(0))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	runtime.KeepAlive(sink)
}
