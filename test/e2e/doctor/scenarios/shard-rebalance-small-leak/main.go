// A key-value node holding 30,000 blocks of 2 KiB in 16 shards. seedShards fills them at start-up;
// rebalance then keeps moving blocks between shards, copying each into a freshly allocated block and
// dropping the old one, so the working set's memory moves from seedShards to rebalance while its size
// stays put. Separately, auditEvent keeps a formatted line per request in a slice nobody trims: a
// small leak of roughly 40 KB/s.
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

type block struct {
	key  uint64
	data [2000]byte
}

type node struct {
	shards [16][]*block
}

var auditLog []string

func seedShards(total int) *node {
	n := &node{}
	for i := 0; i < total; i++ {
		b := &block{key: uint64(i)}
		b.data[0] = byte(i)
		n.shards[i%16] = append(n.shards[i%16], b)
	}
	return n
}

func (n *node) rebalance(rng *rand.Rand) {
	from := rng.Intn(16)
	to := rng.Intn(16)
	if len(n.shards[from]) == 0 {
		return
	}
	i := rng.Intn(len(n.shards[from]))
	old := n.shards[from][i]
	moved := &block{key: old.key}
	moved.data = old.data
	last := len(n.shards[from]) - 1
	n.shards[from][i] = n.shards[from][last]
	n.shards[from][last] = nil
	n.shards[from] = n.shards[from][:last]
	n.shards[to] = append(n.shards[to], moved)
}

func auditEvent(req int, shard int) {
	auditLog = append(auditLog, fmt.Sprintf("req=%d shard=%d at=%d", req, shard, time.Now().UnixNano()))
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

	n := seedShards(30000)
	rng := rand.New(rand.NewSource(21))
	req := 0
	for range time.Tick(4 * time.Millisecond) {
		for k := 0; k < 2; k++ {
			n.rebalance(rng)
			req++
			auditEvent(req, req%16)
		}
	}
}
