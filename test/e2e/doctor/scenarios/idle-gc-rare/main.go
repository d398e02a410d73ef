// A configuration server with a modest live heap, a very high GOGC and a low allocation rate, so the
// garbage collector almost never runs on its own: garbage piles up between rare cycles, the live heap
// does not grow. It swaps in a freshly parsed configuration snapshot every second.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
)

type snapshot struct {
	version int
	values  map[string]string
}

var current atomic.Pointer[snapshot]

func parseSnapshot(version int) *snapshot {
	s := &snapshot{version: version, values: make(map[string]string, 4000)}
	for i := 0; i < 4000; i++ {
		s.values["feature."+strconv.Itoa(i)] = "enabled-" + strconv.Itoa(version)
	}
	return s
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	debug.SetGCPercent(5000)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	current.Store(parseSnapshot(0))
	for v := 1; ; v++ {
		time.Sleep(time.Second)
		current.Store(parseSnapshot(v))
	}
}
