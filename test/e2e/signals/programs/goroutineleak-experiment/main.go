// goroutineleak-experiment: built with GOEXPERIMENT=goroutineleakprofile (Go 1.26), it serves
// /debug/pprof/goroutineleak. Goroutines blocked on channels nobody else can reach are leaks the GC
// can prove; one blocked on a global channel is not.
//
//	-recv N   goroutines blocked receiving on an unreachable channel (leaked)
//	-send N   goroutines blocked sending on an unreachable channel (leaked)
//	/gc       runtime.GC(), then the number of goroutines
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"runtime/pprof"
)

func leakRecv() {
	ch := make(chan int)
	<-ch
}

func leakSend() {
	ch := make(chan int)
	ch <- 1
}

var global = make(chan int)

func blockedOnGlobal() { <-global }

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	recv := flag.Int("recv", 3, "leaked receivers")
	send := flag.Int("send", 1, "leaked senders")
	flag.Parse()
	for i := 0; i < *recv; i++ {
		if i == 0 {
			pprof.Do(context.Background(), pprof.Labels("leak", "labelled"), func(context.Context) { go leakRecv() })
		} else {
			go leakRecv()
		}
	}
	for i := 0; i < *send; i++ {
		go leakSend()
	}
	go blockedOnGlobal()
	http.HandleFunc("/gc", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		fmt.Fprintln(w, runtime.NumGoroutine())
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
