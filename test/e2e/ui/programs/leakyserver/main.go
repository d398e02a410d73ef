// leakyserver serves net/http/pprof and expvar while a request log grows without bound and
// goroutines pile up on a channel nobody closes: something for `heapscope record` to record.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"
)

type entry struct {
	payload []byte
	at      time.Time
}

var requestLog []entry

//go:noinline
func logRequest() { requestLog = append(requestLog, entry{payload: make([]byte, 16<<10), at: time.Now()}) }

func waitForever(ch chan struct{}) { <-ch }

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "debug server address")
	flag.Parse()
	runtime.MemProfileRate = 4096
	go func() {
		blocked := make(chan struct{})
		for i := 0; ; i++ {
			for k := 0; k < 20; k++ {
				logRequest()
			}
			if i%5 == 0 {
				go waitForever(blocked)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	if err := http.ListenAndServe(*addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
