// A tile server that reserves its whole tile arena up front (2,400 tiles of 64 KiB, about 150 MiB,
// zeroed and not yet written) and then renders tiles into it as they are requested, one every 20 ms.
// The live heap is flat from the start; resident memory climbs (about 3 MiB/s) only because the
// arena's pages are written for the first time. Nothing leaks.
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

type arena struct {
	tiles [][]byte
	next  int
}

func reserveArena(tiles, size int) *arena {
	a := &arena{tiles: make([][]byte, tiles)}
	for i := range a.tiles {
		a.tiles[i] = make([]byte, size)
	}
	return a
}

// render writes a tile in place; once every tile has been written it starts over.
func (a *arena) render(seed int) {
	tile := a.tiles[a.next%len(a.tiles)]
	a.next++
	scratch := make([]byte, 8<<10) // per-request garbage
	for i := range scratch {
		scratch[i] = byte(seed + i)
	}
	for off := 0; off < len(tile); off += len(scratch) {
		copy(tile[off:], scratch)
	}
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

	a := reserveArena(2400, 64<<10)
	seed := 0
	for range time.Tick(20 * time.Millisecond) {
		seed++
		a.render(seed)
	}
}
