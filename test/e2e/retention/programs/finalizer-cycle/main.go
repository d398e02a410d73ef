// Connections closed by a finalizer; each connection points back at itself through its pool entry,
// so the finalizer never runs and its buffers stay.
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

type conn struct {
	entry  *poolEntry
	buffer []byte
}

type poolEntry struct{ conn *conn }

func open(fixed bool) {
	c := &conn{buffer: make([]byte, 4<<20)}
	if !fixed {
		c.entry = &poolEntry{conn: c}
	}
	runtime.SetFinalizer(c, func(c *conn) { c.buffer = nil })
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	fixed := flag.Bool("fixed", false, "no self reference")
	flag.Parse()
	for i := 0; i < 6; i++ {
		open(*fixed)
	}
	for i := 0; i < 4; i++ {
		runtime.GC()
	}
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
