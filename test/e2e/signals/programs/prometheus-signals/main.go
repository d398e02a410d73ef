// prometheus-signals: a Go program instrumented with prometheus/client_golang, for reading the
// exposition of its Go collector against the program's own ReadMemStats.
//
//	/metrics      the default registry: Go collector (go_memstats_*, go_gc_duration_seconds,
//	              go_goroutines) and process collector (process_resident_memory_bytes)
//	/metrics-rm   a registry whose Go collector also exposes every runtime/metrics metric
//	              (go_gc_heap_live_bytes, go_memory_classes_*, go_sched_goroutines_goroutines)
//	/snapshot     one runtime.ReadMemStats as JSON, with runtime.NumGoroutine()
//	/quiesce      stop allocating;  /gcoff  debug.SetGCPercent(-1)
//
// Modes: healthy (garbage only) and leak (garbage + retained heap + leaked goroutines).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	retained [][]byte
	sink     []byte
	quiet    atomic.Bool
)

func leakyWorker() {
	ch := make(chan int)
	<-ch
}

func allocationLoop(mode string) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for range tick.C {
		if quiet.Load() {
			continue
		}
		for i := 0; i < 16; i++ {
			sink = make([]byte, 16<<10)
		}
		n++
		if mode == "leak" {
			retained = append(retained, make([]byte, 128<<10))
			if n%5 == 0 {
				go leakyWorker()
			}
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "healthy", "healthy|leak")
	flag.Parse()

	withRuntimeMetrics := prometheus.NewRegistry()
	withRuntimeMetrics.MustRegister(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	http.Handle("/metrics", promhttp.Handler())
	http.Handle("/metrics-rm", promhttp.HandlerFor(withRuntimeMetrics, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	http.HandleFunc("/snapshot", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"memstats": &ms, "goroutines": runtime.NumGoroutine()})
	})
	http.HandleFunc("/quiesce", func(w http.ResponseWriter, r *http.Request) {
		quiet.Store(true)
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/gcoff", func(w http.ResponseWriter, r *http.Request) {
		debug.SetGCPercent(-1)
		fmt.Fprintln(w, "ok")
	})
	go allocationLoop(*mode)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
