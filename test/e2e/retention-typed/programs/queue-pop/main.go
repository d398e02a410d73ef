// A job queue popped with queue = queue[1:]: the popped jobs stay reachable through the slots
// before the slice's start, which the program can no longer reach. -fixed sets queue[0] = nil
// before popping. Writes a heap dump (after a GC) to -out and prints its facts as one JSON line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"unsafe"
)

type job struct {
	id   int
	data []byte
}

const queued, popped = 3000, 2900
const dataBytes = 512

var queue []*job
var done int

func push(n int) {
	for i := 0; i < n; i++ {
		queue = append(queue, &job{id: i, data: make([]byte, dataBytes)})
	}
}

func pop(fixed bool) *job {
	j := queue[0]
	if fixed {
		queue[0] = nil
	}
	queue = queue[1:]
	return j
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the popped slot")
	flag.Parse()
	push(queued)
	for i := 0; i < popped; i++ {
		done += pop(*fixed).id
	}
	runtime.GC()
	writeDump(*out)
	beyond := popped
	if *fixed {
		beyond = 0
	}
	report(map[string]interface{}{
		"len": len(queue), "cap": cap(queue),
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(job{})) + dataBytes),
	})
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
