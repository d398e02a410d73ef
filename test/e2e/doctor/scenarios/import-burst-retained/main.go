// A reporting service that answers a burst of backfill requests shortly after start-up and caches
// every report it builds (about 2,900 reports of 24 KiB, some 70 MB). After the burst only a trickle
// of requests arrives, all for reports already cached. The cache is never trimmed, so the memory
// stays, but it no longer grows: memory kept, not leaked.
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

type report struct {
	account int
	built   time.Time
	body    []byte
}

type reportCache struct {
	mu      sync.Mutex
	reports map[int]*report
}

func buildReport(account int) *report {
	r := &report{account: account, built: time.Now()}
	r.body = make([]byte, 24<<10)
	for i := 0; i < len(r.body); i += 256 {
		r.body[i] = byte(account + i)
	}
	return r
}

func (c *reportCache) get(account int) *report {
	c.mu.Lock()
	r, ok := c.reports[account]
	c.mu.Unlock()
	if ok {
		return r
	}
	r = buildReport(account)
	c.mu.Lock()
	c.reports[account] = r
	c.mu.Unlock()
	return r
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

	const accounts = 2900
	cache := &reportCache{reports: map[int]*report{}}
	time.Sleep(time.Second)
	// The burst: every account's backfill within about four seconds.
	for account := 0; account < accounts; account++ {
		cache.get(account)
		if account%8 == 7 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	// The trickle: a few requests a second, for accounts already cached, each rendering a
	// short-lived summary.
	rng := rand.New(rand.NewSource(9))
	for range time.Tick(200 * time.Millisecond) {
		r := cache.get(rng.Intn(accounts))
		summary := make([]byte, 4<<10)
		copy(summary, r.body)
		_ = summary
	}
}
