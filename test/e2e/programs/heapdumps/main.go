// heapdumps writes real heap dumps (runtime/debug.WriteHeapDump) for heapscope's heap-dump reader and
// retention analyses. Each scenario builds a heap of a known shape, writes its dumps into -out, and
// prints one JSON line of facts (addresses, sizes) that the tests check the analyses against.
//
// Standard library only; builds with Go 1.19 and later.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"unsafe"
)

// Globals the scenarios hold memory with.
var (
	retained [][]byte
	kept     []*node
	named    = newRegistry("registry")
	sink     int
)

type node struct {
	next    *node
	payload []byte
}

type registry struct {
	name    string
	entries map[int][]byte
}

// newRegistry is not inlined, so `named` points into the heap, not at a statically allocated value.
//
//go:noinline
func newRegistry(name string) *registry { return &registry{name: name} }

type resource struct {
	payload []byte
	name    string
}

func addr(p unsafe.Pointer) uintptr { return uintptr(p) }

func writeDump(dir, name string) string {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		fail(err)
	}
	return path
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "heapdumps:", err)
	os.Exit(1)
}

func emit(facts map[string]interface{}) {
	line, err := json.Marshal(facts)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(line))
}

// drop: a heap where most bytes are garbage. With the collector off, the first dump still holds the
// garbage; after runtime.GC() the second holds only what the roots reach.
func drop(dir string) {
	debug.SetGCPercent(-1)
	kept = make([]*node, 0, 2000)
	var garbage []*node
	for i := 0; i < 6000; i++ {
		n := &node{payload: make([]byte, 4096)}
		if i%3 == 0 {
			kept = append(kept, n)
		} else {
			garbage = append(garbage, n)
		}
	}
	sink += len(garbage)
	garbage = nil
	before := writeDump(dir, "before-gc.dump")
	runtime.GC()
	after := writeDump(dir, "after-gc.dump")
	emit(map[string]interface{}{"scenario": "drop", "before": before, "after": after, "kept": len(kept)})
}

//go:noinline
func fillRetained(count, size int) {
	retained = make([][]byte, count)
	for i := range retained {
		retained[i] = make([]byte, size)
	}
}

// global: one global slice holds a known set of buffers and nothing else points to them.
func global(dir string) {
	debug.SetGCPercent(-1)
	fillRetained(64, 16<<10)
	named.entries = map[int][]byte{1: make([]byte, 1000)}
	runtime.GC()
	buffers := make([]uintptr, len(retained))
	for i, b := range retained {
		buffers[i] = addr(unsafe.Pointer(&b[0]))
	}
	path := writeDump(dir, "global.dump")
	emit(map[string]interface{}{
		"scenario": "global", "dump": path,
		"global":  addr(unsafe.Pointer(&retained)),
		"backing": addr(unsafe.Pointer(&retained[0])),
		"buffers": buffers, "bufferBytes": 16 << 10,
	})
	runtime.KeepAlive(named)
}

//go:noinline
func fillSampled(count, size int) {
	retained = make([][]byte, count)
	for i := range retained {
		retained[i] = make([]byte, size)
	}
}

// sampled: many allocations at one site under the default sampling rate, for the estimate that scales
// sampled objects back up.
func sampled(dir string) {
	debug.SetGCPercent(-1)
	fillSampled(4096, 16<<10)
	runtime.GC()
	path := writeDump(dir, "sampled.dump")
	emit(map[string]interface{}{
		"scenario": "sampled", "dump": path, "rate": runtime.MemProfileRate,
		"global": addr(unsafe.Pointer(&retained)), "count": len(retained), "bufferBytes": 16 << 10,
	})
}

// register sets a finalizer whose closure captures `captured` (by value: it is never reassigned).
//
//go:noinline
func register(r *resource, captured []byte) {
	runtime.SetFinalizer(r, func(r *resource) { sink += len(captured) + len(r.name) })
}

// finalizer: a registered finalizer (its object unreachable, its payload and the closure's captured
// buffer kept by the finalizer) and a queued one (the finalizer goroutine is blocked by an earlier
// finalizer, so the object waits in the queue).
func finalizer(dir string) {
	started := make(chan struct{})
	block := make(chan struct{})
	blocker := &resource{name: "blocker"}
	runtime.SetFinalizer(blocker, func(r *resource) {
		close(started)
		<-block
		sink += len(r.name)
	})
	blocker = nil
	runtime.GC()
	<-started

	queued := &resource{payload: make([]byte, 256<<10), name: "queued"}
	queuedAt, queuedPayload := addr(unsafe.Pointer(queued)), addr(unsafe.Pointer(&queued.payload[0]))
	runtime.SetFinalizer(queued, func(r *resource) { sink += len(r.payload) })
	queued = nil
	runtime.GC()

	debug.SetGCPercent(-1)
	captured := make([]byte, 512<<10)
	registered := &resource{payload: make([]byte, 1<<20), name: "registered"}
	registeredAt := addr(unsafe.Pointer(registered))
	registeredPayload := addr(unsafe.Pointer(&registered.payload[0]))
	capturedAt := addr(unsafe.Pointer(&captured[0]))
	register(registered, captured)
	captured, registered = nil, nil
	path := writeDump(dir, "finalizer.dump")
	emit(map[string]interface{}{
		"scenario": "finalizer", "dump": path,
		"registered": registeredAt, "registeredPayload": registeredPayload, "captured": capturedAt,
		"queued": queuedAt, "queuedPayload": queuedPayload,
	})
	close(block)
}

//go:noinline
func holdBuffer(ready chan<- uintptr, release <-chan struct{}) {
	buf := make([]byte, 8<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	ready <- addr(unsafe.Pointer(&buf[0]))
	<-release
	sink += int(buf[len(buf)-1])
}

// blocked: a goroutine parked on a channel keeps a buffer alive through its stack frame.
func blocked(dir string) {
	ready := make(chan uintptr)
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		holdBuffer(ready, release)
		close(done)
	}()
	buffer := <-ready
	runtime.GC()
	path := writeDump(dir, "blocked.dump")
	emit(map[string]interface{}{"scenario": "blocked", "dump": path, "buffer": buffer, "bufferBytes": 8 << 20})
	close(release)
	<-done
}

func main() {
	scenario := flag.String("scenario", "", "drop, global, sampled, finalizer or blocked")
	out := flag.String("out", ".", "folder for the dumps")
	// A program that links no runtime/pprof has memory profiling turned off at start; set the
	// rate explicitly (512 KiB is the runtime's default for programs that do).
	rate := flag.Int("rate", 512*1024, "runtime.MemProfileRate")
	flag.Parse()
	runtime.MemProfileRate = *rate
	switch *scenario {
	case "drop":
		drop(*out)
	case "global":
		global(*out)
	case "sampled":
		sampled(*out)
	case "finalizer":
		finalizer(*out)
	case "blocked":
		blocked(*out)
	default:
		fail(fmt.Errorf("unknown scenario %q", *scenario))
	}
	runtime.KeepAlive(kept)
	runtime.KeepAlive(retained)
}
