// fleet-otel: a Go service whose runtime metrics come from OpenTelemetry's runtime
// instrumentation through the OpenTelemetry Prometheus exporter (go_memory_used_bytes,
// go_memory_gc_goal_bytes, go_memory_limit_bytes, go_goroutine_count), for heapscope fleet's
// end-to-end test. In leak mode it retains records in a cache that is never trimmed.
//
//	/metrics       the exporter's registry
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
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelruntime "go.opentelemetry.io/contrib/instrumentation/runtime"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

type priceCache struct {
	mu     sync.Mutex
	prices [][]byte
}

// keep never lets a price go: the leak.
func (c *priceCache) keep(size int) {
	price := make([]byte, size)
	price[0] = 1
	c.mu.Lock()
	c.prices = append(c.prices, price)
	c.mu.Unlock()
}

var (
	cache   priceCache
	steady  [][]byte
	garbage []byte
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "healthy", "healthy|leak")
	leakRate := flag.Int("leak-rate", 512, "KiB retained per second in leak mode")
	flag.Parse()

	for i := 0; i < 160; i++ {
		steady = append(steady, make([]byte, 128<<10))
	}
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		log.Fatal(err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	if err := otelruntime.Start(otelruntime.WithMeterProvider(provider)); err != nil {
		log.Fatal(err)
	}
	http.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			for i := 0; i < 16; i++ {
				garbage = make([]byte, 64<<10)
			}
			if *mode == "leak" {
				cache.keep(*leakRate << 10 / 10)
			}
		}
	}()
	log.Fatal(http.ListenAndServe(*addr, nil))
}
