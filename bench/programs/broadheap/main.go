// broadheap writes a broad heap profile: few functions, very many stacks. With MemProfileRate=1
// every allocation is sampled; allocation i is made at the bottom of a fixed-depth recursion whose
// levels call one of four functions, picked by i's base-4 digits, so the profile has a handful of
// locations but one sample (one distinct stack) per allocation. The objects stay reachable, so
// in-use values equal allocated ones.
//
// Usage: broadheap [-n 200000] [-depth 18] OUT.pb.gz
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

var retained [][]byte

// The four recursion steps. Each consumes two bits of the path to pick the next one.
//
//go:noinline
func alpha(depth int, path uint64) { next(depth, path) }

//go:noinline
func beta(depth int, path uint64) { next(depth, path) }

//go:noinline
func gamma(depth int, path uint64) { next(depth, path) }

//go:noinline
func delta(depth int, path uint64) { next(depth, path) }

//go:noinline
func next(depth int, path uint64) {
	if depth == 0 {
		retained = append(retained, make([]byte, 16+path%4*16))
		return
	}
	switch path & 3 {
	case 0:
		alpha(depth-1, path>>2)
	case 1:
		beta(depth-1, path>>2)
	case 2:
		gamma(depth-1, path>>2)
	default:
		delta(depth-1, path>>2)
	}
}

func main() {
	count := flag.Int("n", 200000, "number of allocations")
	depth := flag.Int("depth", 18, "recursion depth (levels through the four functions)")
	flag.Parse()
	if flag.NArg() != 1 || *count < 1 || *depth < 1 || *depth > 30 {
		fmt.Fprintln(os.Stderr, "usage: broadheap [-n 200000] [-depth 18] OUT.pb.gz")
		os.Exit(2)
	}
	retained = make([][]byte, 0, *count)
	runtime.MemProfileRate = 1
	for i := 0; i < *count; i++ {
		next(*depth, uint64(i))
	}
	runtime.MemProfileRate = 0
	// The heap profile shows the heap as of the last completed GC.
	runtime.GC()
	f, err := os.Create(flag.Arg(0))
	if err == nil {
		err = pprof.WriteHeapProfile(f)
		if closeErr := f.Close(); err == nil {
			err = closeErr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "broadheap:", err)
		os.Exit(1)
	}
	runtime.KeepAlive(retained)
}
