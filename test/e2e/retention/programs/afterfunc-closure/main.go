// A retry scheduler whose timer callback captures the whole payload for an hour.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"
)

func send(payload []byte) { fmt.Println("sent", len(payload)) }

func scheduleRetry(fixed bool) *time.Timer {
	payload := make([]byte, 24<<20)
	payload[0] = 1
	t := time.AfterFunc(time.Hour, func() { send(payload) })
	if fixed {
		t.Stop()
	}
	return t
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	fixed := flag.Bool("fixed", false, "stop the timer")
	flag.Parse()
	scheduleRetry(*fixed)
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
