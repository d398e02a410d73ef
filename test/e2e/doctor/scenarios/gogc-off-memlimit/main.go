// A report renderer that runs with the garbage collector's proportional pacing turned off (GOGC=off)
// and a 160 MiB memory limit: the heap climbs to the limit and the GC then holds it there.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime/debug"
	"strings"
	"time"
)

type row struct {
	cells []string
}

func render(n int) int {
	rows := make([]row, 200)
	for i := range rows {
		rows[i].cells = make([]string, 8)
		for j := range rows[i].cells {
			rows[i].cells[j] = strings.Repeat("x", 16+(i+j+n)%32)
		}
	}
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(strings.Join(r.cells, ","))
		sb.WriteByte('\n')
	}
	return sb.Len()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(160 << 20)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	for n := 0; ; n++ {
		render(n)
		time.Sleep(2 * time.Millisecond)
	}
}
