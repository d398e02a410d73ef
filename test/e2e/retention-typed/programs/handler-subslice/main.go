// Request handlers that read a 1 MiB body, keep its header (16 bytes, its length read from the
// body) in a local and block waiting for a reply: each handler's local pins the whole buffer.
// -fixed copies the header out. -whole is a control: handleWhole also reads the body's last byte
// after the wait, so the whole body is in use (nothing pinned) while the header shares its array. With the
// handlers blocked, main writes a heap dump (after a GC) to -out, then lets them finish and prints
// the facts as one JSON line.
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
)

const handlers = 2
const bodyBytes = 1 << 20
const headerBytes = 16

type shape struct{ len, cap int }

//go:noinline
func readBody(id int) []byte {
	body := make([]byte, bodyBytes)
	body[0] = headerBytes
	for i := 1; i < 64; i++ {
		body[i] = byte(id + i)
	}
	return body
}

// headerLength reads the header's length from the body's first byte.
//
//go:noinline
func headerLength(body []byte) int {
	return int(body[0])
}

func handle(id int, fixed bool, ready chan<- shape, reply <-chan struct{}, done chan<- int) {
	body := readBody(id)
	var header []byte
	if fixed {
		header = append([]byte(nil), body[:headerLength(body)]...)
	} else {
		header = body[:headerLength(body)]
	}
	ready <- shape{len(header), cap(header)}
	<-reply
	// The header is used after the wait, so it is live while the handler is blocked.
	done <- checksum(header)
}

func handleWhole(id int, ready chan<- shape, reply <-chan struct{}, done chan<- int) {
	body := readBody(id)
	header := body[:headerLength(body)]
	ready <- shape{len(header), cap(header)}
	<-reply
	done <- checksum(header) + checksum(body[len(body)-1:])
}

//go:noinline
func checksum(b []byte) int {
	n := 0
	for _, c := range b {
		n += int(c)
	}
	return n
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "copy the header out")
	whole := flag.Bool("whole", false, "use the whole body after the wait too")
	flag.Parse()
	ready := make(chan shape)
	reply := make(chan struct{})
	done := make(chan int)
	var s shape
	for h := 0; h < handlers; h++ {
		if *whole {
			go handleWhole(h, ready, reply, done)
		} else {
			go handle(h, *fixed, ready, reply, done)
		}
	}
	for h := 0; h < handlers; h++ {
		s = <-ready
	}
	if *whole {
		waitUntilBlocked("main.handleWhole", handlers)
	} else {
		waitUntilBlocked("main.handle", handlers)
	}
	runtime.GC()
	writeDump(*out)
	close(reply)
	for h := 0; h < handlers; h++ {
		<-done
	}
	pinned := handlers
	if *fixed || *whole {
		pinned = 0
	}
	report(map[string]interface{}{
		"len": s.len, "cap": s.cap, "pinnedSlices": pinned,
		"minPinnedBytes": pinned * (bodyBytes - headerBytes),
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
