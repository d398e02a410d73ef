// An event consumer that waits for the next event or an idle timeout with time.After inside the loop.
// Before Go 1.23 (this module says go 1.21) every time.After timer stays referenced by the runtime
// until it fires, so a busy loop piles up timers and channels for the whole idle period.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"
)

type event struct {
	id      int
	payload [32]byte
}

var processed int

func handle(e event) {
	processed += int(e.payload[0]) + e.id%3
}

func consume(events <-chan event) {
	for {
		select {
		case e := <-events:
			handle(e)
		case <-time.After(2 * time.Minute):
			log.Println("no events for two minutes")
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	events := make(chan event, 64)
	go consume(events)
	for i := 0; ; i++ {
		for j := 0; j < 25; j++ {
			events <- event{id: i*25 + j}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
