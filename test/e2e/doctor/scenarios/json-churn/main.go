// A JSON transformer with a high allocation rate: every document is decoded, transformed and encoded,
// and nothing outlives its iteration.
package main

import (
	"encoding/json"
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"sync"
	"time"
)

type order struct {
	ID    string            `json:"id"`
	Items []item            `json:"items"`
	Meta  map[string]string `json:"meta"`
}

type item struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

func makeDocument(n int) []byte {
	o := order{ID: "o-" + strconv.Itoa(n), Meta: map[string]string{"region": "eu", "channel": "web"}}
	for i := 0; i < 40; i++ {
		o.Items = append(o.Items, item{SKU: "sku-" + strconv.Itoa(i), Qty: i % 7, Price: float64(i) * 1.25})
	}
	b, _ := json.Marshal(o)
	return b
}

func transform(doc []byte) int {
	var o order
	if err := json.Unmarshal(doc, &o); err != nil {
		panic(err)
	}
	for i := range o.Items {
		o.Items[i].Price *= 1.2
	}
	out, _ := json.Marshal(o)
	return len(out)
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

	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := 0; ; n++ {
				transform(makeDocument(n))
				if n%4 == 0 {
					time.Sleep(time.Millisecond) // leave CPU for others on a shared machine
				}
			}
		}(w)
	}
	wg.Wait()
}
