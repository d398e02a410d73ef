// A metrics registry whose series are reset by truncating their point slices: every point stays
// reachable through the slots beyond len of its series' backing array. -fixed clears the slots first.
// Writes a heap dump (after a GC) to -out and prints what it holds as one JSON line; with -addr it
// prints the line, serves net/http/pprof there and waits instead (for heapscope doctor and its hook).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"unsafe"
)

type point struct {
	at    int64
	value float64
	attrs []byte
}

type series struct {
	name   string
	points []*point
}

type registry struct {
	series map[string]*series
	hits   int
}

var metrics = &registry{series: map[string]*series{}}

func record(name string, n int) {
	s := metrics.series[name]
	if s == nil {
		s = &series{name: name}
		metrics.series[name] = s
	}
	for i := 0; i < n; i++ {
		s.points = append(s.points, &point{at: int64(i), attrs: make([]byte, 256)})
	}
}

func reset(fixed bool) {
	for _, s := range metrics.series {
		if fixed {
			for i := range s.points {
				s.points[i] = nil
			}
		}
		s.points = s.points[:0]
	}
}

func main() {
	out := flag.String("out", "", "write the heap dump here")
	fixed := flag.Bool("fixed", false, "clear the slots before truncating")
	addr := flag.String("addr", "", "serve net/http/pprof here and wait, writing no dump")
	flag.Parse()
	const seriesCount, pointsPerSeries = 50, 200
	for i := 0; i < seriesCount; i++ {
		record("series-"+strconv.Itoa(i), pointsPerSeries)
	}
	reset(*fixed)
	runtime.GC()
	if *addr == "" {
		writeDump(*out)
	}
	s := metrics.series["series-0"]
	beyond := seriesCount * pointsPerSeries
	if *fixed {
		beyond = 0
	}
	facts, _ := json.Marshal(map[string]interface{}{
		"slices": len(metrics.series), "len": len(s.points), "cap": cap(s.points),
		"objectsBeyondLen":  2 * beyond,
		"minBytesBeyondLen": beyond * (int(unsafe.Sizeof(point{})) + 256),
	})
	fmt.Println(string(facts))
	if *addr != "" {
		serve(*addr)
	}
	runtime.KeepAlive(metrics)
}

func writeDump(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
}

func serve(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	go http.Serve(ln, nil)
	select {}
}
