// Collector goroutines small enough for the compiler to inline into the wrapper of their go
// statement: each gathers events into a local batch, hands the full batch's size on and truncates
// it with batch = batch[:0], so while it waits for more, the last batch's events stay reachable
// beyond len. -fixed sets the slots to nil first. With the collectors waiting,
// main writes a heap dump (after a GC) to -out, then closes their channels and prints the facts as
// one JSON line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
	"unsafe"
)

type event struct {
	seq  int
	body []byte
}

const collectors = 4
const batchSize = 1000
const bodyBytes = 256

func collect(size int, fixed bool, in <-chan *event, flushed chan<- int, done chan<- []*event) {
	batch := make([]*event, 0, size)
	for e := range in {
		batch = append(batch, e)
		if len(batch) == size {
			flushed <- cap(batch)
			if fixed {
				for i := range batch {
					batch[i] = nil
				}
			}
			batch = batch[:0]
		}
	}
	done <- batch
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the batch before truncating")
	flag.Parse()
	flushed := make(chan int, collectors)
	done := make(chan []*event, collectors)
	queues := make([]chan *event, collectors)
	for c := range queues {
		queues[c] = make(chan *event)
		go collect(batchSize, *fixed, queues[c], flushed, done)
	}
	capacity := 0
	for c, q := range queues {
		for i := 0; i < batchSize; i++ {
			q <- &event{seq: c*batchSize + i, body: make([]byte, bodyBytes)}
		}
		capacity = <-flushed
	}
	waitUntilBlocked(collectors)
	runtime.GC()
	writeDump(*out)
	for _, q := range queues {
		close(q)
	}
	left := 0
	for c := 0; c < collectors; c++ {
		left += len(<-done)
	}
	beyond := collectors * batchSize
	if *fixed {
		beyond = 0
	}
	report(map[string]interface{}{
		"len": left / collectors, "cap": capacity, "slices": collectors,
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(event{})) + bodyBytes),
	})
}

// waitUntilBlocked returns once n goroutines wait in a channel receive in collect (inlined or not,
// a traceback shows its frame).
func waitUntilBlocked(n int) {
	buf := make([]byte, 1<<20)
	for tries := 0; tries < 1000; tries++ {
		stacks := string(buf[:runtime.Stack(buf, true)])
		blocked := 0
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "[chan receive") && strings.Contains(g, "\nmain.collect(") {
				blocked++
			}
		}
		if blocked == n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "the collectors did not block")
	os.Exit(1)
}

func writeDump(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func report(facts map[string]interface{}) {
	line, _ := json.Marshal(facts)
	fmt.Println(string(line))
}
