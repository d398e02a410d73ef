// A tracing agent that keeps a dump of every finished span keyed by its id, meaning to flush them in
// batches; the flusher's condition never holds, so about 14 MiB of dumps pile up every second. The
// dump is built by encodeSpan; the map insert sits in its caller, finish.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"sync"
	"time"
)

type spanDump struct {
	id       uint64
	duration time.Duration
	attrs    []byte
}

type tracer struct {
	mu       sync.Mutex
	finished map[uint64]*spanDump
	flushed  int
}

func encodeSpan(id uint64, d time.Duration) *spanDump {
	s := &spanDump{id: id, duration: d, attrs: make([]byte, 36<<10)}
	for i := 0; i < len(s.attrs); i += 1024 {
		s.attrs[i] = byte(id)
	}
	return s
}

func (t *tracer) finish(id uint64, d time.Duration) {
	dump := encodeSpan(id, d)
	t.mu.Lock()
	t.finished[id] = dump
	if len(t.finished) < 0 { // the intended "batch full" check, never true
		t.finished = map[uint64]*spanDump{}
		t.flushed++
	}
	t.mu.Unlock()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	t := &tracer{finished: map[uint64]*spanDump{}}
	var id uint64
	for range time.Tick(5 * time.Millisecond) {
		for k := 0; k < 2; k++ {
			id++
			t.finish(id, time.Duration(id%977)*time.Microsecond)
		}
	}
}
