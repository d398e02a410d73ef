// A geo-IP lookup service that fills a bounded cache while it warms up (several seconds) and then
// serves from it; once full, the cache replaces entries instead of growing.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"
)

type location struct {
	country string
	city    string
	detail  []byte
}

type boundedCache struct {
	capacity int
	entries  map[uint32]*location
	order    []uint32
}

func (c *boundedCache) put(ip uint32, loc *location) {
	if _, ok := c.entries[ip]; ok {
		return
	}
	if len(c.order) >= c.capacity {
		oldest := c.order[0]
		c.order = c.order[1:]
		delete(c.entries, oldest)
	}
	c.entries[ip] = loc
	c.order = append(c.order, ip)
}

func resolve(ip uint32) *location {
	return &location{country: "NL", city: "Utrecht", detail: make([]byte, 1024)}
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

	cache := &boundedCache{capacity: 20000, entries: map[uint32]*location{}}
	rng := rand.New(rand.NewSource(3))
	for range time.Tick(2 * time.Millisecond) {
		for k := 0; k < 10; k++ {
			ip := rng.Uint32()
			cache.put(ip, resolve(ip))
		}
	}
}
