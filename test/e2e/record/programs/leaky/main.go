// leaky serves net/http/pprof, expvar and a hand-written /metrics while it leaks memory and
// goroutines at a steady pace, so heapscope record has something real to watch.
package main

import (
	"expvar"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

var (
	addr         = flag.String("addr", "127.0.0.1:0", "listen address")
	leakBytes    = flag.Int("leak-bytes", 256<<10, "bytes retained per tick")
	tick         = flag.Duration("tick", 100*time.Millisecond, "leak period")
	exitAfter    = flag.Duration("exit-after", 0, "exit with -exit-code after this long (0 = never)")
	exitCode     = flag.Int("exit-code", 3, "exit code for -exit-after")
	apiToken     = flag.String("api-token", "", "a secret that must not end up in recordings")
	serveMetrics = flag.Bool("metrics", true, "serve /metrics")
	chatty       = flag.Bool("chatty", true, "print a line to stdout and stderr now and then")
	tlsCert      = flag.String("tls-cert", "", "serve https with this certificate")
	tlsKey       = flag.String("tls-key", "", "key for -tls-cert")
	needHeader   = flag.String("require-authorization", "", "answer 401 unless the Authorization header equals this")
	gcEvery      = flag.Int("gc-every", 0, "run a GC every N ticks, so heap profiles (as of the last GC) stay current (0 = never)")
)

var (
	mu       sync.Mutex
	retained [][]byte
	requests = expvar.NewInt("requests")
	secret   = expvar.NewString("database_password")
)

func leakGoroutine(ch chan struct{}) {
	<-ch // never closed: the goroutine leaks
}

func metrics(w http.ResponseWriter, r *http.Request) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	var b strings.Builder
	gauge := func(name string, v float64) {
		fmt.Fprintf(&b, "# TYPE %s gauge\n%s %g\n", name, name, v)
	}
	fmt.Fprintf(&b, "# TYPE go_info gauge\ngo_info{version=%q} 1\n", runtime.Version())
	gauge("go_goroutines", float64(runtime.NumGoroutine()))
	gauge("go_memstats_alloc_bytes", float64(m.Alloc))
	gauge("go_memstats_heap_alloc_bytes", float64(m.HeapAlloc))
	gauge("go_memstats_heap_inuse_bytes", float64(m.HeapInuse))
	gauge("go_memstats_heap_objects", float64(m.HeapObjects))
	gauge("go_memstats_sys_bytes", float64(m.Sys))
	gauge("go_memstats_next_gc_bytes", float64(m.NextGC))
	fmt.Fprintf(&b, "# TYPE go_memstats_mallocs_total counter\ngo_memstats_mallocs_total %d\n", m.Mallocs)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Write([]byte(b.String()))
}

func main() {
	flag.Parse()
	secret.Set(*apiToken)
	fmt.Printf("GODEBUG=%s\n", os.Getenv("GODEBUG"))
	if *serveMetrics {
		http.HandleFunc("/metrics", metrics)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	var handler http.Handler = http.DefaultServeMux
	if *needHeader != "" {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != *needHeader {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			http.DefaultServeMux.ServeHTTP(w, r)
		})
	}
	if *tlsCert != "" {
		fmt.Printf("listening on https://%s\n", ln.Addr())
		go http.ServeTLS(ln, handler, *tlsCert, *tlsKey)
	} else {
		fmt.Printf("listening on http://%s\n", ln.Addr())
		go http.Serve(ln, handler)
	}

	if *exitAfter > 0 {
		go func() {
			time.Sleep(*exitAfter)
			fmt.Fprintln(os.Stderr, "leaky: exiting as asked")
			os.Exit(*exitCode)
		}()
	}
	block := make(chan struct{})
	n := 0
	for range time.Tick(*tick) {
		n++
		mu.Lock()
		retained = append(retained, make([]byte, *leakBytes))
		mu.Unlock()
		requests.Add(1)
		if *gcEvery > 0 && n%*gcEvery == 0 {
			runtime.GC()
		}
		if n%10 == 0 {
			go leakGoroutine(block)
		}
		if *chatty && n%20 == 0 {
			fmt.Printf("leaky: tick %d\n", n)
			fmt.Fprintf(os.Stderr, "leaky: retained %d chunks\n", n)
		}
	}
}
