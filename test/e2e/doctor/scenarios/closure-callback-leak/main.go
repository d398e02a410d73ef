// A connection tracker that registers a cleanup callback per connection through an interface. The
// callbacks (closures capturing each connection's state buffer) are never unregistered.
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

type lifecycle interface {
	OnClose(fn func())
}

type hookRegistry struct {
	mu    sync.Mutex
	hooks []func()
}

func (r *hookRegistry) OnClose(fn func()) {
	r.mu.Lock()
	r.hooks = append(r.hooks, fn)
	r.mu.Unlock()
}

type conn struct {
	id    int
	state []byte
}

func openConn(id int, lc lifecycle) *conn {
	c := &conn{id: id, state: make([]byte, 6<<10)}
	lc.OnClose(func() { c.state = nil })
	return c
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

	var lc lifecycle = &hookRegistry{}
	id := 0
	for range time.Tick(4 * time.Millisecond) {
		id++
		c := openConn(id, lc)
		c.state[0] = 1 // the connection is used, then dropped; its hook is not
	}
}
