// steady-heap keeps a large pointer-rich heap (a forest of small linked nodes) and allocates at a
// fixed rate, replacing part of the forest and churning short-lived objects, like a busy service
// with a big cache. Used to measure what being recorded costs a program.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"
)

type node struct {
	left, right *node
	payload     [4]uint64
}

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address")
	heapMB    = flag.Int("heap-mb", 200, "long-lived heap size in MB")
	allocMBps = flag.Int("alloc-mbps", 100, "allocation rate in MB/s")
)

const nodeSize = 48 // two pointers + 32 bytes payload

func tree(depth int) *node {
	if depth == 0 {
		return nil
	}
	return &node{left: tree(depth - 1), right: tree(depth - 1)}
}

func main() {
	flag.Parse()
	const depth = 12 // 4095 nodes per tree
	treeBytes := (1<<depth - 1) * nodeSize
	forest := make([]*node, *heapMB<<20/treeBytes)
	for i := range forest {
		forest[i] = tree(depth)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, nil)
	fmt.Printf("listening on http://%s\n", ln.Addr())

	// Every 10 ms allocate allocMBps/100 MB: one tenth replaces forest trees, the rest is garbage.
	perTick := *allocMBps << 20 / 100
	var sink *node
	next := 0
	for range time.Tick(10 * time.Millisecond) {
		for allocated := 0; allocated < perTick; {
			if allocated < perTick/10 {
				forest[next%len(forest)] = tree(depth)
				next++
				allocated += treeBytes
			} else {
				sink = tree(8)
				allocated += (1<<8 - 1) * nodeSize
			}
		}
		_ = sink
	}
}
