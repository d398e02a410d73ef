// An image cache that maps anonymous memory outside the Go heap for each decoded tile and never unmaps
// it. The Go heap stays flat; the process's resident memory grows.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"syscall"
	"time"
)

var tiles [][]byte

func mapTile(size int) []byte {
	region, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	for i := 0; i < len(region); i += 4096 {
		region[i] = 1 // touch every page so it becomes resident
	}
	return region
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

	for range time.Tick(100 * time.Millisecond) {
		tiles = append(tiles, mapTile(256<<10))
		scratch := make([]byte, 64<<10) // ordinary heap churn
		scratch[0] = 1
	}
}
