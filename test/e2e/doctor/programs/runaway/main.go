// A program that runs out of memory within seconds: it keeps every 4 MiB buffer it allocates. Run
// under a memory limit (ulimit -v), the runtime dies with "fatal error: runtime: out of memory".
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

var kept [][]byte

func grab() {
	buf := make([]byte, 4<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	kept = append(kept, buf)
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
	for range time.Tick(20 * time.Millisecond) {
		grab()
	}
}
