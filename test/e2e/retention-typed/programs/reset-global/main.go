// An event buffer reset with pending = pending[:0] after a burst: the backing array keeps every
// event of the burst reachable through its slots beyond len. -fixed sets the slots to nil first
// (go.mod says 1.19: no clear builtin). Writes a heap dump (after a GC) to -out and prints what the
// program knows about its slice as one JSON line.
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

type event struct {
	id      int
	payload []byte
}

const burst = 4000
const payloadBytes = 1024

var pending []*event

func ingest() {
	for i := 0; i < burst; i++ {
		pending = append(pending, &event{id: i, payload: make([]byte, payloadBytes)})
	}
}

func flush(fixed bool) {
	if fixed {
		for i := range pending {
			pending[i] = nil
		}
	}
	pending = pending[:0]
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the slots before truncating")
	flag.Parse()
	ingest()
	flush(*fixed)
	runtime.GC()
	writeDump(*out)
	beyond := burst
	if *fixed {
		beyond = 0
	}
	report(map[string]interface{}{
		"len": len(pending), "cap": cap(pending),
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(event{})) + payloadBytes),
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
