// A pricing service with a large, stable in-memory catalogue (about 240 MB) and a small leak: every
// request appends an audit record to a slice that is never trimmed. The leak is about 16 KB/s, well
// under 1 % of the heap per minute.
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

type product struct {
	sku   int
	price float64
	blob  []byte
}

type auditRecord struct {
	at     time.Time
	sku    int
	detail []byte
}

var (
	catalogue []*product
	auditMu   sync.Mutex
	auditLog  []auditRecord
)

func loadCatalogue(n int) {
	catalogue = make([]*product, n)
	for i := range catalogue {
		catalogue[i] = &product{sku: i, price: float64(i) * 0.01, blob: make([]byte, 4000)}
	}
}

func recordAudit(sku int) {
	detail := make([]byte, 4096)
	detail[0] = byte(sku)
	auditMu.Lock()
	auditLog = append(auditLog, auditRecord{at: time.Now(), sku: sku, detail: detail})
	auditMu.Unlock()
}

func priceRequest(rng *rand.Rand) float64 {
	p := catalogue[rng.Intn(len(catalogue))]
	// Request-scoped garbage: a response buffer and a few small objects.
	resp := make([]byte, 2048+rng.Intn(8192))
	resp[0] = byte(p.sku)
	return p.price + float64(resp[0])
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	loadCatalogue(60000)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	rng := rand.New(rand.NewSource(7))
	tick := time.NewTicker(2 * time.Millisecond)
	for i := 0; ; i++ {
		<-tick.C
		priceRequest(rng)
		if i%125 == 0 {
			recordAudit(i)
		}
	}
}
