// A command that builds an index in a local map of main and keeps it for the whole run, though it
// only needs it once at the end.
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

func buildIndex(n int) map[int][]byte {
	index := make(map[int][]byte, n)
	for i := 0; i < n; i++ {
		index[i] = make([]byte, 2048)
	}
	return index
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	fixed := flag.Bool("fixed", false, "summarise the index and drop it before waiting")
	flag.Parse()
	stop := make(chan struct{})
	if *fixed {
		fmt.Println("entries:", summarise(buildIndex(12000)))
		runtime.GC()
		serveAndWait(*addr, stop)
		return
	}
	index := buildIndex(12000)
	runtime.GC()
	serveAndWait(*addr, stop)
	fmt.Println("entries:", summarise(index))
}

func summarise(index map[int][]byte) int { return len(index) }

func serveAndWait(addr string, stop chan struct{}) {
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		go http.Serve(ln, nil)
	}
	fmt.Println("ready")
	<-stop
}
