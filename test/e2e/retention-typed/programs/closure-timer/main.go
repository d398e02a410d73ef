// A retry scheduled with time.AfterFunc whose callback captures an 8 MiB payload: the runtime's
// timer holds the closure, the closure holds the payload. Writes a heap dump (after a GC) to -out
// and prints the payload's size as one JSON line.
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

const payloadBytes = 8 << 20

func send(payload []byte) { fmt.Println("sent", len(payload)) }

func scheduleRetry() *time.Timer {
	payload := make([]byte, payloadBytes)
	payload[0] = 1
	return time.AfterFunc(time.Hour, func() { send(payload) })
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	flag.Bool("fixed", false, "no effect")
	flag.Parse()
	t := scheduleRetry()
	runtime.GC()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	line, _ := json.Marshal(map[string]interface{}{"payloadBytes": payloadBytes})
	fmt.Println(string(line))
	runtime.KeepAlive(t)
}
