// heapsites allocates from many call sites chosen to exercise every formatting path of pprof's
// text reports, and writes heap/allocs profiles into the directory given as the first argument:
//
//	heap-1.pb.gz   after the first phase (inuse + alloc)
//	heap-2.pb.gz   after the second phase: some memory freed, some new, so diffs go negative
//	allocs.pb.gz   the allocs profile (default sample type alloc_space)
//	delta.pb.gz    an allocs delta profile (?seconds=1), which has a duration
//
// MemProfileRate is 1 unless -rate says otherwise, so every allocation is recorded.
package main

import (
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	httppprof "net/http/pprof"
)

var keep [][]byte
var keepMu sync.Mutex

func retain(b []byte) {
	keepMu.Lock()
	keep = append(keep, b)
	keepMu.Unlock()
}

// Cache has pointer-receiver methods; Store has value-receiver ones.
type Cache struct{ entries map[string][]byte }

//go:noinline
func (c *Cache) Put(key string, size int) {
	c.entries[key] = make([]byte, size)
}

type Store struct{ name string }

//go:noinline
func (s Store) Load(size int) []byte {
	return make([]byte, size)
}

// newBuf is small enough to be inlined into its callers: its allocation shows as "(inline)".
func newBuf(n int) []byte { return make([]byte, n) }

//go:noinline
func readRequest(n int) []byte { return newBuf(n) }

//go:noinline
func readResponse(n int) []byte {
	b := newBuf(n)
	retain(b)
	return b
}

// makeSlice is generic, so its name carries a type parameter list.
//
//go:noinline
func makeSlice[T any](n int) []T { return make([]T, n) }

// deep recurses far enough that the runtime truncates the recorded stack.
//
//go:noinline
func deep(depth, size int) []byte {
	if depth == 0 {
		return make([]byte, size)
	}
	return deep(depth-1, size)
}

//go:noinline
func tinyAllocs(count int) {
	for i := 0; i < count; i++ {
		b := make([]byte, 16+i%7)
		if i%5 == 0 {
			retain(b)
		}
	}
}

//go:noinline
func stringWork(parts int) string {
	var sb strings.Builder
	for i := 0; i < parts; i++ {
		sb.WriteString(fmt.Sprintf("part-%d;", i))
	}
	return sb.String()
}

//go:noinline
func level3(size int) []byte { return make([]byte, size) }

//go:noinline
func level2(size int) []byte { return level3(size) }

//go:noinline
func level1(size int) []byte { return level2(size) }

func phase1(c *Cache, s Store) {
	for i := 0; i < 40; i++ {
		c.Put(fmt.Sprintf("k%d", i), 1024*(1+i%9))
	}
	retain(s.Load(3 << 20))
	for i := 0; i < 30; i++ {
		retain(readResponse(4096 + i))
		_ = readRequest(512)
	}
	ints := makeSlice[int](50000)
	retain(make([]byte, len(ints)))
	_ = makeSlice[string](2000)
	retain(deep(150, 64<<10))
	tinyAllocs(3000)
	_ = stringWork(500)
	closures := []func() []byte{
		func() []byte { return make([]byte, 100) },
		func() []byte { return make([]byte, 10<<10) },
		func() []byte { return make([]byte, 1<<20) },
	}
	for i, f := range closures {
		for j := 0; j <= i*3; j++ {
			retain(f())
		}
	}
	retain(level1(200 << 10))
}

func phase2(c *Cache) {
	// Free half of what phase 1 retained and most cache entries, then allocate elsewhere.
	keepMu.Lock()
	keep = keep[len(keep)/2:]
	keepMu.Unlock()
	for k := range c.entries {
		if len(k)%2 == 0 {
			delete(c.entries, k)
		}
	}
	for i := 0; i < 20; i++ {
		retain(level2(8 << 10))
	}
	retain(deep(20, 2<<20))
	tinyAllocs(500)
}

func writeProfile(dir, name, profile string, gc bool) {
	if gc {
		runtime.GC()
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup(profile).WriteTo(f, 0); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

// writeDelta asks net/http/pprof for a one-second allocs delta, in process, while allocating.
func writeDelta(dir string, c *Cache) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(600 * time.Millisecond)
		for time.Now().Before(deadline) {
			_ = readRequest(2048)
			c.Put("delta", 32<<10)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	req := httptest.NewRequest("GET", "/debug/pprof/allocs?seconds=1", nil)
	rec := httptest.NewRecorder()
	httppprof.Handler("allocs").ServeHTTP(rec, req)
	<-done
	if rec.Code != 200 {
		panic(fmt.Sprintf("delta profile: %d %s", rec.Code, rec.Body.String()))
	}
	if err := os.WriteFile(filepath.Join(dir, "delta.pb.gz"), rec.Body.Bytes(), 0o644); err != nil {
		panic(err)
	}
}

func main() {
	rate := flag.Int("rate", 1, "runtime.MemProfileRate")
	flag.Parse()
	runtime.MemProfileRate = *rate
	dir := flag.Arg(0)
	c := &Cache{entries: map[string][]byte{}}
	phase1(c, Store{name: "s"})
	writeProfile(dir, "heap-1.pb.gz", "heap", true)
	phase2(c)
	writeProfile(dir, "heap-2.pb.gz", "heap", true)
	writeProfile(dir, "allocs.pb.gz", "allocs", true)
	writeDelta(dir, c)
	runtime.KeepAlive(c)
	fmt.Println("ok")
}
