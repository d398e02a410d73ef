// A price catalog. loadCatalog fills 36,000 entries at start-up; from then on refreshPrice replaces
// random entries with freshly built ones as price updates arrive, so the working set keeps its size
// while its memory moves from loadCatalog's allocations to refreshPrice's. Separately, every lookup
// miss is remembered in a slice that nothing trims: a small real leak (about 50 KB/s, a twelfth of
// what refreshPrice keeps allocating).
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"sync"
	"time"
)

type entry struct {
	sku   string
	cents int64
	attrs [1200]byte
}

type catalog struct {
	mu    sync.Mutex
	items []*entry
}

type miss struct {
	key string
	at  int64
}

var misses []*miss

func loadCatalog(n int) *catalog {
	c := &catalog{items: make([]*entry, n)}
	for i := range c.items {
		c.items[i] = &entry{sku: "sku-" + strconv.Itoa(i), cents: int64(100 + i%900)}
		c.items[i].attrs[0] = byte(i)
	}
	return c
}

func (c *catalog) refreshPrice(rng *rand.Rand) {
	i := rng.Intn(len(c.items))
	fresh := &entry{sku: c.items[i].sku, cents: int64(rng.Intn(100000))}
	fresh.attrs[0] = byte(i)
	c.mu.Lock()
	c.items[i] = fresh
	c.mu.Unlock()
}

func noteMiss(id int) {
	m := &miss{key: fmt.Sprintf("q-%08d", id), at: time.Now().UnixNano()}
	misses = append(misses, m)
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

	c := loadCatalog(36000)
	rng := rand.New(rand.NewSource(5))
	id := 0
	for range time.Tick(2 * time.Millisecond) {
		c.refreshPrice(rng)
		for k := 0; k < 2; k++ {
			id++
			noteMiss(id)
		}
	}
}
