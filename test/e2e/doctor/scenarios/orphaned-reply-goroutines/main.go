// A quote service that asks a slow backend with a timeout. When the timeout wins, the goroutine that
// was going to deliver the reply blocks forever sending on an unbuffered channel nobody reads.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"
)

func fetchRate(symbol string, reply chan<- float64) {
	time.Sleep(3 * time.Millisecond)
	reply <- float64(len(symbol)) * 1.5
}

func quote(symbol string) (float64, bool) {
	reply := make(chan float64)
	go fetchRate(symbol, reply)
	select {
	case v := <-reply:
		return v, true
	case <-time.After(time.Millisecond):
		return 0, false
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

	symbols := []string{"ACME", "GLOBEX", "INITECH", "UMBRELLA"}
	for i := 0; ; i++ {
		quote(symbols[i%len(symbols)])
		time.Sleep(20 * time.Millisecond)
	}
}
