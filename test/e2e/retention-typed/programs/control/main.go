// A struct whose words look like a slice header (a pointer, then 2 and 64) but is not one: its
// pointer leads to a table of 64 items, each with a 4 KiB payload. Read as a slice of len 2 and
// cap 64, 62 items would seem kept beyond len; they are not (the table holds them all, usefully).
// Also a fmt.Stringer holding a *label (typed through the dump's itab records), and a channel of bool: the runtime allocates its hchan without pointers (its element has none),
// though DWARF's hchan<bool> has pointer fields; that typing must be refused, not believed.
// Writes a heap dump (after a GC) to -out and prints its facts as one JSON line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

type item struct {
	payload []byte
}

type table struct {
	items [64]*item
}

type control struct {
	p    *table
	a, b int
}

var ctl control

var done = make(chan bool)

// A label behind an interface with methods: its dynamic type comes from the dump's itab records.
type label struct {
	text []byte
}

func (l *label) String() string { return string(l.text[:8]) }

var named fmt.Stringer = &label{text: make([]byte, 1<<16)}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	flag.Bool("fixed", false, "no effect: nothing to fix")
	flag.Parse()
	t := &table{}
	for i := range t.items {
		t.items[i] = &item{payload: make([]byte, 4096)}
	}
	ctl = control{p: t, a: 2, b: len(t.items)}
	runtime.GC()
	writeDump(*out)
	line, _ := json.Marshal(map[string]interface{}{"a": ctl.a, "b": ctl.b})
	fmt.Println(string(line))
	runtime.KeepAlive(named) // referenced, so the linker keeps the global
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
