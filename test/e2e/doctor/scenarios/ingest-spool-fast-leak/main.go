// An ingest service that spools every record it receives in memory "until the uploader catches up";
// the uploader is never started, so the spool keeps every 30 KiB payload: about 9 MiB more live heap
// each second, from a heap of a few MiB.
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

type record struct {
	seq      int
	received time.Time
	payload  []byte
}

type spool struct {
	mu      sync.Mutex
	pending []*record
}

func (s *spool) stash(seq int, body []byte) {
	r := &record{seq: seq, received: time.Now()}
	r.payload = make([]byte, len(body))
	copy(r.payload, body)
	s.mu.Lock()
	s.pending = append(s.pending, r)
	s.mu.Unlock()
}

func receive(seq int) []byte {
	body := make([]byte, 30<<10)
	for i := 0; i < len(body); i += 512 {
		body[i] = byte(seq + i)
	}
	return body
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

	s := &spool{}
	seq := 0
	for range time.Tick(10 * time.Millisecond) {
		for k := 0; k < 3; k++ {
			seq++
			s.stash(seq, receive(seq))
		}
	}
}
