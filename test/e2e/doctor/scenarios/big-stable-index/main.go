// A search service holding a large, fixed inverted index (about 270 MB of postings behind many
// pointers) and answering queries that allocate short-lived result slices.
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
	"time"
)

type posting struct {
	doc   uint32
	freq  uint16
	spans []uint32
}

type index struct {
	terms map[string][]*posting
}

func buildIndex(terms, perTerm int) *index {
	idx := &index{terms: make(map[string][]*posting, terms)}
	for t := 0; t < terms; t++ {
		list := make([]*posting, perTerm)
		for i := range list {
			list[i] = &posting{doc: uint32(i), freq: uint16(i % 9), spans: make([]uint32, 64)}
		}
		idx.terms["term"+strconv.Itoa(t)] = list
	}
	return idx
}

func (idx *index) query(rng *rand.Rand) int {
	list := idx.terms["term"+strconv.Itoa(rng.Intn(len(idx.terms)))]
	hits := make([]uint32, 0, 64)
	for _, p := range list {
		if p.freq > 4 {
			hits = append(hits, p.doc)
		}
	}
	return len(hits)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	idx := buildIndex(1000, 900)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	rng := rand.New(rand.NewSource(11))
	for range time.Tick(time.Millisecond) {
		for k := 0; k < 5; k++ {
			idx.query(rng)
		}
	}
}
