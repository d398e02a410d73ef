// A batch exporter: it accumulates records for a few seconds (tens of MB), flushes them, and starts
// again, so the live heap rises and falls in a sawtooth without growing overall.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"
)

type record struct {
	key   string
	value []byte
}

type batch struct {
	records []*record
	bytes   int
}

func (b *batch) add(i int) {
	r := &record{key: fmt.Sprintf("k%08d", i), value: make([]byte, 2048)}
	b.records = append(b.records, r)
	b.bytes += len(r.value)
}

func flush(b *batch) int {
	n := len(b.records)
	b.records = nil
	b.bytes = 0
	return n
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

	b := &batch{}
	i := 0
	for range time.Tick(10 * time.Millisecond) {
		for j := 0; j < 60; j++ {
			i++
			b.add(i)
		}
		if b.bytes >= 40<<20 {
			flush(b)
		}
	}
}
