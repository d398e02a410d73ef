// A log compressor that reuses 256 KiB work buffers through sync.Pool across several workers.
// Pooled buffers survive a GC cycle in the victim cache, so the live heap holds a varying number of
// them, but it does not grow.
package main

import (
	"bytes"
	"compress/flate"
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"sync"
	"time"
)

var bufferPool = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 256<<10)) }}

var line = []byte("2024-05-01T12:00:00Z INFO request served path=/api/v1/items status=200 bytes=5120\n")

func compressChunk(w *flate.Writer) int {
	buf := bufferPool.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		bufferPool.Put(buf)
	}()
	for buf.Len() < 200<<10 {
		buf.Write(line)
	}
	var out bytes.Buffer
	w.Reset(&out)
	w.Write(buf.Bytes())
	w.Close()
	return out.Len()
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

	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, _ := flate.NewWriter(nil, flate.BestSpeed)
			for range time.Tick(20 * time.Millisecond) {
				compressChunk(w)
			}
		}()
	}
	wg.Wait()
}
