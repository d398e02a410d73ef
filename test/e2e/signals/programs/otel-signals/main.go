// otel-signals: Go runtime metrics from OpenTelemetry's runtime instrumentation, exported to
// Prometheus text by the OpenTelemetry Prometheus exporter. With
// OTEL_GO_X_DEPRECATED_RUNTIME_METRICS=true the instrumentation also emits the older
// process.runtime.go.* names next to the go.memory.* / go.goroutine.count conventions.
//
//	/metrics   the exposition
//	/snapshot  one runtime.ReadMemStats with runtime.NumGoroutine()
//	/quiesce   stop allocating;  /gcoff  debug.SetGCPercent(-1)
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
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelruntime "go.opentelemetry.io/contrib/instrumentation/runtime"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

var (
	retained [][]byte
	sink     []byte
	quiet    atomic.Bool
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "healthy", "healthy|leak")
	flag.Parse()

	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		log.Fatal(err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	if err := otelruntime.Start(otelruntime.WithMeterProvider(provider), otelruntime.WithMinimumReadMemStatsInterval(0)); err != nil {
		log.Fatal(err)
	}
	http.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
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
	go func() {
		for range time.Tick(20 * time.Millisecond) {
			if quiet.Load() {
				continue
			}
			for i := 0; i < 16; i++ {
				sink = make([]byte, 16<<10)
			}
			if *mode == "leak" {
				retained = append(retained, make([]byte, 128<<10))
			}
		}
	}()
	log.Fatal(http.ListenAndServe(*addr, nil))
}
