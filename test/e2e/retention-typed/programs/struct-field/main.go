// A batcher whose flush truncates its buffer field with b.buf = b.buf[:0]: the flushed messages stay
// reachable through the field's backing array beyond len. -fixed sets the slots to nil first.
// Writes a heap dump (after a GC) to -out and prints its facts as one JSON line.
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

type message struct {
	topic string
	body  []byte
}

type batcher struct {
	name    string
	buf     []*message
	flushed int
}

const batch = 3000
const bodyBytes = 512

var out = newBatcher("events")

//go:noinline
func newBatcher(name string) *batcher { return &batcher{name: name} }

func (b *batcher) add(m *message) { b.buf = append(b.buf, m) }

func (b *batcher) flush(fixed bool) {
	b.flushed += len(b.buf)
	if fixed {
		for i := range b.buf {
			b.buf[i] = nil
		}
	}
	b.buf = b.buf[:0]
}

func main() {
	path := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the slots before truncating")
	flag.Parse()
	for i := 0; i < batch; i++ {
		out.add(&message{topic: "t", body: make([]byte, bodyBytes)})
	}
	out.flush(*fixed)
	runtime.GC()
	writeDump(*path)
	beyond := batch
	if *fixed {
		beyond = 0
	}
	report(map[string]interface{}{
		"len": len(out.buf), "cap": cap(out.buf),
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(message{})) + bodyBytes),
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
