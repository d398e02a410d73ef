// fleet-service: a Go service instrumented with prometheus/client_golang, for heapscope fleet's
// end-to-end test. It keeps a steady working set, churns garbage, and, in leak mode, retains order
// records in a cache that is never trimmed (orderCache.remember), from -leak-after on.
//
//	/metrics       Go collector (default, or with -runtime-metrics every runtime/metrics metric:
//	               go_gc_heap_live_bytes, go_gc_gomemlimit_bytes, ...), process collector,
//	               go_build_info and fleetsvc_build_info{version}
//	/debug/pprof/  net/http/pprof
package main

import (
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type orderCache struct {
	mu     sync.Mutex
	orders [][]byte
}

// remember keeps a copy of every order forever: the leak.
func (c *orderCache) remember(size int) {
	order := make([]byte, size)
	order[0] = 1
	c.mu.Lock()
	c.orders = append(c.orders, order)
	c.mu.Unlock()
}

var (
	cache   orderCache
	steady  [][]byte
	garbage []byte
)

func serveOrders(leak bool, leakKiBPerSecond int, leakAfter time.Duration) {
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		for i := 0; i < 16; i++ {
			garbage = make([]byte, 64<<10)
		}
		if leak && time.Since(start) >= leakAfter {
			cache.remember(leakKiBPerSecond << 10 / 10)
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	version := flag.String("version", "1.0.0", "version reported by fleetsvc_build_info")
	mode := flag.String("mode", "healthy", "healthy|leak")
	leakRate := flag.Int("leak-rate", 1024, "KiB retained per second in leak mode")
	leakAfter := flag.Duration("leak-after", 0, "start leaking this long after start")
	runtimeMetrics := flag.Bool("runtime-metrics", false, "register the Go collector with every runtime/metrics metric")
	flag.Parse()

	for i := 0; i < 160; i++ {
		steady = append(steady, make([]byte, 128<<10))
	}
	registry := prometheus.NewRegistry()
	goCollector := collectors.NewGoCollector()
	if *runtimeMetrics {
		goCollector = collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll))
	}
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fleetsvc_build_info",
		Help: "The service's version.",
	}, []string{"version"})
	buildInfo.WithLabelValues(*version).Set(1)
	registry.MustRegister(
		goCollector,
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		buildInfo,
	)
	http.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	go serveOrders(*mode == "leak", *leakRate, *leakAfter)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
