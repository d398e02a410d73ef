// bigheap writes a large, realistic heap profile for decoder benchmarks. With MemProfileRate=1 every
// allocation is sampled; each is made at the bottom of a deep (20–60 frames) pseudo-random walk
// through a few hundred generated functions with several call sites each (frames.go, written by
// `go run ./gen`), so the profile has about one sample per allocation, each with a distinct stack,
// over thousands of locations. The objects stay reachable, so in-use values equal allocated ones.
//
// Needs Go 1.23 or later: older runtimes cut heap profile stacks at 32 frames.
package main

//go:generate go run ./gen -out frames.go

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// frame is one generated function: it recurses `depth` more levels, then allocates.
type frame func(depth int, state uint64)

// frames is filled by frames.go.
var frames []frame

var retained [][]byte

// step advances the walk's state (a 64-bit LCG) and picks the next function from its high bits.
func step(state uint64) (frame, uint64) {
	state = state*6364136223846793005 + 1442695040888963407
	return frames[(state>>40)%uint64(len(frames))], state >> 7
}

// keep allocates the leaf object (16–256 bytes) and keeps it reachable. Small enough to be inlined,
// so the leaf location carries an inlined frame, as real profiles often do.
func keep(state uint64) {
	retained = append(retained, make([]byte, 16+(state>>3)%16*16))
}

// splitmix64: an allocation number to a well-mixed starting state.
func seed(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func main() {
	out := flag.String("out", "bigheap.pb.gz", "output file")
	count := flag.Int("n", 150000, "number of allocations (about one sample each)")
	minDepth := flag.Int("min-depth", 20, "shortest walk")
	maxDepth := flag.Int("max-depth", 60, "longest walk")
	flag.Parse()
	if len(frames) == 0 {
		fmt.Fprintln(os.Stderr, "bigheap: frames.go is missing: run `go generate` first")
		os.Exit(2)
	}
	if *minDepth < 1 || *maxDepth < *minDepth {
		fmt.Fprintln(os.Stderr, "bigheap: need 1 <= -min-depth <= -max-depth")
		os.Exit(2)
	}
	retained = make([][]byte, 0, *count)
	runtime.MemProfileRate = 1
	span := uint64(*maxDepth - *minDepth + 1)
	for i := 0; i < *count; i++ {
		state := seed(uint64(i))
		first, state := step(state)
		first(*minDepth+int(state%span), state)
	}
	runtime.MemProfileRate = 0
	// The heap profile shows the heap as of the last completed GC.
	runtime.GC()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigheap:", err)
		os.Exit(1)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bigheap:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "bigheap:", err)
		os.Exit(1)
	}
	fmt.Println(len(retained))
}
