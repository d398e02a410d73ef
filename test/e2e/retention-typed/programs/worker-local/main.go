// Worker goroutines that gather jobs into a local batch, process it when it is full and truncate it
// with batch = batch[:0] before waiting for more: while they wait, every job of the last batch stays
// reachable through the slots beyond len of each worker's local slice. -fixed sets the slots to nil
// first (go.mod says 1.19: no clear builtin). With the workers waiting, main writes a heap dump
// (after a GC) to -out, then closes their channels and prints the facts as one JSON line.
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

type job struct {
	id      int
	payload []byte
}

const workers = 3
const batchSize = 1500
const payloadBytes = 512

type shape struct{ len, cap int }

func worker(size int, fixed bool, jobs <-chan *job, flushed chan<- shape, done chan<- int) {
	batch := make([]*job, 0, size)
	total := 0
	for j := range jobs {
		batch = append(batch, j)
		if len(batch) < size {
			continue
		}
		total += process(batch)
		if fixed {
			for i := range batch {
				batch[i] = nil
			}
		}
		batch = batch[:0]
		flushed <- shape{len(batch), cap(batch)}
	}
	// The batch is used after the loop, so it is live while the worker waits for jobs.
	done <- total + process(batch)
}

//go:noinline
func process(batch []*job) int {
	n := 0
	for _, j := range batch {
		n += len(j.payload)
	}
	return n + cap(batch)
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the slots before truncating")
	flag.Parse()
	flushed := make(chan shape, workers)
	done := make(chan int)
	queues := make([]chan *job, workers)
	for w := range queues {
		queues[w] = make(chan *job)
		go worker(batchSize, *fixed, queues[w], flushed, done)
	}
	var s shape
	for w, q := range queues {
		for i := 0; i < batchSize; i++ {
			q <- &job{id: w*batchSize + i, payload: make([]byte, payloadBytes)}
		}
		s = <-flushed
	}
	waitUntilBlocked("main.worker", workers)
	runtime.GC()
	writeDump(*out)
	for _, q := range queues {
		close(q)
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	beyond := workers * batchSize
	if *fixed {
		beyond = 0
	}
	report(map[string]interface{}{
		"len": s.len, "cap": s.cap, "slices": workers,
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(job{})) + payloadBytes),
	})
}

// waitUntilBlocked returns once n goroutines wait in a channel receive inside fn.
func waitUntilBlocked(fn string, n int) {
	buf := make([]byte, 1<<20)
	for tries := 0; tries < 1000; tries++ {
		stacks := string(buf[:runtime.Stack(buf, true)])
		blocked := 0
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "[chan receive") && strings.Contains(g, "\n"+fn+"(") {
				blocked++
			}
		}
		if blocked == n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "the goroutines did not block")
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
