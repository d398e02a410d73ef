// A poller that checks an inventory service's status code and never closes the response body, so
// every request keeps its connection (and the transport's read and write goroutines) alive.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strings"
	"time"
)

func startInventoryService() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	payload := strings.Repeat(`{"sku":"A-1","count":12},`, 80)
	mux := http.NewServeMux()
	mux.HandleFunc("/inventory", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "[%s{}]", payload)
	})
	go http.Serve(ln, mux)
	return "http://" + ln.Addr().String() + "/inventory"
}

func pollInventory(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	return resp.StatusCode == http.StatusOK
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

	url := startInventoryService()
	client := &http.Client{}
	for range time.Tick(80 * time.Millisecond) {
		pollInventory(client, url)
	}
}
