// A caching DNS resolver. loadZone fills 50,000 records at start-up; as their TTLs run out,
// renewRecord answers each expiry with a freshly built record in the same slot, about 600 a second.
// The cache keeps its size: memory moves from loadZone's allocations to renewRecord's, and nothing
// leaks.
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

type record struct {
	name    string
	ttl     uint32
	answers [6][16]byte
	rrsig   [768]byte
}

type zoneCache struct {
	mu      sync.RWMutex
	records []*record
}

func loadZone(n int) *zoneCache {
	z := &zoneCache{records: make([]*record, n)}
	for i := range z.records {
		z.records[i] = &record{name: "host" + strconv.Itoa(i) + ".example.", ttl: 300}
	}
	return z
}

func (z *zoneCache) renewRecord(rng *rand.Rand) {
	i := rng.Intn(len(z.records))
	fresh := &record{name: z.records[i].name, ttl: uint32(60 + rng.Intn(600))}
	fresh.rrsig[0] = byte(i)
	z.mu.Lock()
	z.records[i] = fresh
	z.mu.Unlock()
}

func (z *zoneCache) lookup(rng *rand.Rand) int {
	z.mu.RLock()
	r := z.records[rng.Intn(len(z.records))]
	z.mu.RUnlock()
	reply := make([]byte, 0, 512)
	reply = append(reply, r.name...)
	return len(reply)
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

	z := loadZone(50000)
	rng := rand.New(rand.NewSource(17))
	for range time.Tick(5 * time.Millisecond) {
		for k := 0; k < 3; k++ {
			z.renewRecord(rng)
		}
		for k := 0; k < 20; k++ {
			z.lookup(rng)
		}
	}
}
