// Sessions dropped with sessions = append(sessions[:i], sessions[i+1:]...) in a loop from the end (the
// usual way to delete while iterating): each deletion leaves the old last slot behind len, so the
// dropped sessions after the last one kept stay reachable through the tail. Here the newest two
// thirds are dropped (their listener closed), and every tenth of the rest has expired.
// go.mod says 1.21, so -fixed clears the tail with clear(sessions[len(sessions):cap(sessions)])
// (slices.Delete zeroes it only from Go 1.22). Writes a heap dump (after a GC) to -out and prints
// what the program knows about its tail as one JSON line.
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

type session struct {
	id    int
	state []byte
}

const total = 3000
const stateBytes = 1024

var sessions []*session

const kept = 1000

func expire(fixed bool) {
	for i := len(sessions) - 1; i >= 0; i-- {
		if s := sessions[i]; s.id >= kept || s.id%10 == 5 {
			sessions = append(sessions[:i], sessions[i+1:]...)
		}
	}
	if fixed {
		clear(sessions[len(sessions):cap(sessions)])
	}
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the tail after deleting")
	flag.Parse()
	for i := 0; i < total; i++ {
		sessions = append(sessions, &session{id: i, state: make([]byte, stateBytes)})
	}
	expire(*fixed)
	// The sessions only the tail still points at: what the program can no longer reach.
	live := map[*session]bool{}
	for _, s := range sessions {
		live[s] = true
	}
	stale := map[*session]bool{}
	for _, s := range sessions[len(sessions):cap(sessions)] {
		if s != nil && !live[s] {
			stale[s] = true
		}
	}
	live = nil
	beyond := len(stale)
	stale = nil
	runtime.GC()
	writeDump(*out)
	report(map[string]interface{}{
		"len": len(sessions), "cap": cap(sessions),
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(session{})) + stateBytes),
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
