// An event log that truncates its global slice after a burst but keeps the backing array, whose
// slots beyond len still point at every record.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

type record struct {
	id      int
	payload []byte
}

var pending []*record

func ingest(n int) {
	for i := 0; i < n; i++ {
		pending = append(pending, &record{id: i, payload: make([]byte, 1024)})
	}
}

func flush(fixed bool) {
	if fixed {
		pending = nil
		return
	}
	pending = pending[:0]
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	fixed := flag.Bool("fixed", false, "release the records")
	flag.Parse()
	ingest(16000)
	flush(*fixed)
	runtime.GC()
	serveAndWait(*addr)
}

func serveAndWait(addr string) {
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		go http.Serve(ln, nil)
	}
	fmt.Println("ready")
	select {}
}
