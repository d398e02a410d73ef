// A frame cache keeping the 16-byte header of every 1 MiB buffer it read: each map value is a
// sub-slice that pins its whole buffer. -fixed copies the header out. Writes a heap dump (after a
// GC) to -out and prints its facts as one JSON line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
)

const frames = 40
const bufferBytes = 1 << 20
const headerBytes = 16

var frameHeaders = map[string][]byte{}

func readFrame(i int) []byte {
	buf := make([]byte, bufferBytes)
	for j := range buf[:64] {
		buf[j] = byte(i + j)
	}
	return buf
}

func remember(i int, fixed bool) {
	buf := readFrame(i)
	key := "frame-" + strconv.Itoa(i)
	if fixed {
		frameHeaders[key] = append([]byte(nil), buf[:headerBytes]...)
		return
	}
	frameHeaders[key] = buf[:headerBytes]
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "copy the headers out")
	flag.Parse()
	for i := 0; i < frames; i++ {
		remember(i, *fixed)
	}
	runtime.GC()
	writeDump(*out)
	h := frameHeaders["frame-0"]
	pinned := frames
	if *fixed {
		pinned = 0
	}
	report(map[string]interface{}{
		"len": len(h), "cap": cap(h), "pinnedSlices": pinned,
		"minPinnedBytes": pinned * (bufferBytes - headerBytes),
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
