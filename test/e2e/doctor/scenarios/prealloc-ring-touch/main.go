// A metrics collector that preallocates one ring of 16 Mi samples (128 MiB, zeroed and untouched)
// and fills it slot by slot, about 2 MiB of new samples per second; once full it wraps around. The
// live heap is flat; resident memory rises only as the ring's pages are written for the first time.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"time"
)

type ring struct {
	samples []uint64
	head    int
}

func newRing(slots int) *ring {
	return &ring{samples: make([]uint64, slots)}
}

func (r *ring) push(batch []uint64) {
	for _, v := range batch {
		r.samples[r.head] = v
		r.head = (r.head + 1) % len(r.samples)
	}
}

func scrapeBatch(tick int) []uint64 {
	batch := make([]uint64, 2600)
	label := "tick-" + strconv.Itoa(tick) // per-scrape garbage
	for i := range batch {
		batch[i] = uint64(tick*len(batch)+i) ^ uint64(len(label))
	}
	return batch
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

	r := newRing(16 << 20)
	tick := 0
	for range time.Tick(10 * time.Millisecond) {
		tick++
		r.push(scrapeBatch(tick))
	}
}
