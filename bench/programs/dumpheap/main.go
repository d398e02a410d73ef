// dumpheap builds a large, pointer-heavy live heap and writes a heap dump of it
// (runtime/debug.WriteHeapDump) for heapscope's heap-dump benchmark, timing the pause the dump
// costs the program. At -scale 1: a 1M-node linked list with 1M payloads, a 1M-entry map of items
// that point at 4 other items and at a list node each, a 1M-leaf binary tree, small buffers and
// 64 MiB-class byte slices: about 4.5M objects, over 10M pointers, well over 256 MiB live.
//
// It prints one JSON line: the pause, the dump's size and the heap's figures as of the dump.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

type node struct {
	next    *node
	payload *[24]byte
	id      int
}

type item struct {
	name  string
	peers [4]*item
	owner *node
	data  []byte
}

type leaf struct {
	left, right *leaf
	value       [2]int
}

var (
	list   *node
	byID   map[int]*item
	tree   *leaf
	blocks [][]byte
	names  = []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
)

//go:noinline
func newNode(id int, next *node) *node {
	return &node{next: next, payload: new([24]byte), id: id}
}

//go:noinline
func buildList(n int) {
	for i := 0; i < n; i++ {
		list = newNode(i, list)
	}
}

//go:noinline
func newItem(i int) *item { return &item{name: names[i%len(names)]} }

//go:noinline
func newData() []byte { return make([]byte, 64) }

//go:noinline
func buildMap(n int) {
	byID = make(map[int]*item)
	nodes := make([]*node, 0, n)
	for p := list; p != nil && len(nodes) < n; p = p.next {
		nodes = append(nodes, p)
	}
	all := make([]*item, n)
	for i := range all {
		all[i] = newItem(i)
		byID[i] = all[i]
	}
	state := uint64(88172645463325252)
	for i, it := range all {
		for k := range it.peers {
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			it.peers[k] = all[state%uint64(n)]
		}
		if len(nodes) > 0 {
			it.owner = nodes[i%len(nodes)]
		}
		if i%4 == 0 {
			it.data = newData()
		}
	}
}

//go:noinline
func buildTree(n int) *leaf {
	if n == 0 {
		return nil
	}
	l := &leaf{value: [2]int{n, n}}
	l.left = buildTree((n - 1) / 2)
	l.right = buildTree(n - 1 - (n-1)/2)
	return l
}

//go:noinline
func bigBlock(size int) []byte { return make([]byte, size) }

//go:noinline
func mediumBlock(size int) []byte { return make([]byte, size) }

func main() {
	out := flag.String("out", "dumpheap.dump", "dump file")
	scale := flag.Float64("scale", 1, "size of the heap relative to the default")
	flag.Parse()
	runtime.MemProfileRate = 512 * 1024
	n := int(1_000_000 * *scale)
	buildList(n)
	buildMap(n)
	tree = buildTree(n)
	for i := 0; i < int(64**scale); i++ {
		blocks = append(blocks, bigBlock(2<<20))
	}
	for i := 0; i < int(256**scale); i++ {
		blocks = append(blocks, mediumBlock(64<<10))
	}
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)

	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dumpheap:", err)
		os.Exit(1)
	}
	started := time.Now()
	debug.WriteHeapDump(f.Fd())
	pause := time.Since(started)
	info, err := f.Stat()
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dumpheap:", err)
		os.Exit(1)
	}
	line, _ := json.Marshal(map[string]interface{}{
		"pauseMs":     float64(pause.Microseconds()) / 1000,
		"dumpBytes":   info.Size(),
		"heapAlloc":   stats.HeapAlloc,
		"heapObjects": stats.HeapObjects,
		"goVersion":   runtime.Version(),
	})
	fmt.Println(string(line))
	runtime.KeepAlive(list)
	runtime.KeepAlive(byID)
	runtime.KeepAlive(tree)
	runtime.KeepAlive(blocks)
}
