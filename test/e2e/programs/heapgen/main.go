// heapgen allocates at a variety of call sites (closures, methods, inlined helpers, deep and
// recursive stacks), then writes the heap profile (proto and debug=1 text) and the allocs profile
// as of the same garbage collection, with GC disabled in between so all three agree.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
)

var (
	retained [][]byte
	records  []*record
	strs     []string
	sink     []byte
)

type record struct {
	payload []byte
	name    string
}

type cache struct{ entries map[int]*record }

//go:noinline
func (c *cache) fill(n, size int) {
	for i := 0; i < n; i++ {
		c.entries[i] = &record{payload: make([]byte, size)}
	}
}

// small enough to be inlined into its callers.
func makeBuffer(size int) []byte { return make([]byte, size) }

//go:noinline
func deep(depth, size int) []byte {
	if depth == 0 {
		return makeBuffer(size)
	}
	return deep(depth-1, size)
}

//go:noinline
func level3(size int) []byte { return deep(7, size) }

//go:noinline
func level2(size int) []byte { return level3(size) }

//go:noinline
func level1(size int) []byte { return level2(size) }

// Many distinct stacks: each allocation goes through a path of four functions chosen by the digits of
// its number, so a profile has thousands of records.
var spreadTable [4]func(depth, code, size int)

//go:noinline
func s0(depth, code, size int) { spreadStep(depth, code, size) }

//go:noinline
func s1(depth, code, size int) { spreadStep(depth, code, size) }

//go:noinline
func s2(depth, code, size int) { spreadStep(depth, code, size) }

//go:noinline
func s3(depth, code, size int) { spreadStep(depth, code, size) }

//go:noinline
func spreadStep(depth, code, size int) {
	if depth == 0 {
		retained = append(retained, make([]byte, size))
		return
	}
	spreadTable[code%4](depth-1, code/4, size)
}

//go:noinline
func churn(n, size int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, size)
	}
}

func main() {
	out := flag.String("out", ".", "directory for the profiles")
	rate := flag.Int("rate", 0, "runtime.MemProfileRate (0 keeps the default)")
	scale := flag.Int("scale", 1, "multiplies the number of allocations")
	spread := flag.Int("spread", 0, "allocations made through distinct call paths")
	flag.Parse()
	spreadTable = [4]func(int, int, int){s0, s1, s2, s3}
	if *rate > 0 {
		runtime.MemProfileRate = *rate
	}

	c := &cache{entries: map[int]*record{}}
	for round := 0; round < *scale; round++ {
		c.fill(2000, 96)
		for i := 0; i < 300; i++ {
			retained = append(retained, level1(4096+i))
		}
		grow := func(n int) {
			for i := 0; i < n; i++ {
				records = append(records, &record{name: strings.Repeat("x", 40+i%17)})
			}
		}
		grow(3000)
		for i := 0; i < 50; i++ {
			retained = append(retained, makeBuffer(1<<16))
		}
		for i := 0; i < 1000; i++ {
			strs = append(strs, fmt.Sprintf("item-%d-%s", i, strings.Repeat("y", i%64)))
		}
		churn(20000, 512)
		churn(200, 1<<20)
	}
	for i := 0; i < *spread; i++ {
		spreadStep(7, i, 64+i%61*16)
	}
	runtime.KeepAlive(c)

	runtime.GC()
	// No further GC: the three profiles below then describe the same cycle.
	debug.SetGCPercent(-1)
	write := func(name string, profile string, debugLevel int) {
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup(profile).WriteTo(f, debugLevel); err != nil {
			panic(err)
		}
		if err := f.Close(); err != nil {
			panic(err)
		}
	}
	write("heap.pb.gz", "heap", 0)
	write("heap.txt", "heap", 1)
	write("allocs.pb.gz", "allocs", 0)
	fmt.Println("ok", len(retained), len(records), len(strs), len(c.entries))
}
