// bigheap writes a large heap profile for decoder benchmarks: with MemProfileRate=1 every
// allocation is recorded, and each one is made through a distinct call path (eight functions
// chosen by the digits of the allocation number), so the profile has one sample per allocation.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

var retained [][]byte

var table [8]func(depth, code int)

//go:noinline
func f0(depth, code int) { next(depth, code) }

//go:noinline
func f1(depth, code int) { next(depth, code) }

//go:noinline
func f2(depth, code int) { next(depth, code) }

//go:noinline
func f3(depth, code int) { next(depth, code) }

//go:noinline
func f4(depth, code int) { next(depth, code) }

//go:noinline
func f5(depth, code int) { next(depth, code) }

//go:noinline
func f6(depth, code int) { next(depth, code) }

//go:noinline
func f7(depth, code int) { next(depth, code) }

//go:noinline
func next(depth, code int) {
	if depth == 0 {
		retained = append(retained, make([]byte, 16+code%4*16))
		return
	}
	table[code%8](depth-1, code/8)
}

func main() {
	out := flag.String("out", "bigheap.pb.gz", "output file")
	count := flag.Int("n", 150000, "number of allocations (distinct stacks)")
	depth := flag.Int("depth", 8, "levels of dispatch per stack")
	flag.Parse()
	runtime.MemProfileRate = 1
	table = [8]func(int, int){f0, f1, f2, f3, f4, f5, f6, f7}
	for i := 0; i < *count; i++ {
		next(*depth, i)
	}
	runtime.GC()
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Println(len(retained))
}
