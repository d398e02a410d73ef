// A stream reader that keeps a 16-byte header slice of every frame it reads. The sub-slice keeps the
// whole 96 KiB frame buffer alive, so the heap grows by the frame size per frame.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"sync"
	"time"
)

type index struct {
	mu      sync.Mutex
	headers [][]byte
}

var frameIndex index

func readFrame(rng *rand.Rand) []byte {
	frame := make([]byte, 96<<10)
	rng.Read(frame[:64])
	return frame
}

func headerOf(frame []byte) []byte {
	return frame[:16]
}

func ingest(rng *rand.Rand) {
	frame := readFrame(rng)
	frameIndex.mu.Lock()
	frameIndex.headers = append(frameIndex.headers, headerOf(frame))
	frameIndex.mu.Unlock()
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

	rng := rand.New(rand.NewSource(1))
	for range time.Tick(30 * time.Millisecond) {
		ingest(rng)
		// Short-lived work beside the leak.
		scratch := make([]byte, 32<<10)
		_ = scratch[rng.Intn(len(scratch))]
	}
}
