// slow-leak-real-rate keeps a large heap (about 200 MiB, -heap-mb) and leaks at a real 0.5 % of it per
// minute (-leak-percent-per-min), not compressed in time: about 17 KiB/s, in 16 KiB records, while a
// request-like churn (-churn-mbps) makes the heap goal cycle every second or so and 0–4 MiB of
// requests are in flight at each GC. Run long enough (SCENARIO_SECONDS, default 150 s) the leak shows
// as about 1.25 % of the heap. Expected trend: growing.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

var (
	sink   []byte
	base   [][]byte
	leaked [][]byte
)

func main() {
	heapMB := flag.Int("heap-mb", 200, "long-lived heap, MiB")
	leakPercent := flag.Float64("leak-percent-per-min", 0.5, "leak rate as a share of the heap per minute")
	churnMBps := flag.Int("churn-mbps", 60, "short-lived allocation rate, MiB/s")
	flag.Parse()
	seconds := 150.0
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		seconds = s
	}
	debug.SetGCPercent(30)
	for i := 0; i < *heapMB; i++ {
		base = append(base, make([]byte, 1<<20))
	}
	recordsPerSecond := *leakPercent / 100 * float64(*heapMB) * 64 / 60 // 16 KiB records
	churnPerTick := *churnMBps << 20 / 100
	var inFlight [][]byte
	start := time.Now()
	for range time.Tick(10 * time.Millisecond) {
		elapsed := time.Since(start).Seconds()
		if elapsed >= seconds {
			break
		}
		for float64(len(leaked)) < recordsPerSecond*elapsed {
			leaked = append(leaked, make([]byte, 16<<10))
		}
		want := rand.Intn(64) // 0 to 4 MiB in flight
		for len(inFlight) < want {
			inFlight = append(inFlight, make([]byte, 64<<10))
		}
		inFlight = inFlight[:want]
		for allocated := 0; allocated < churnPerTick; allocated += 32 << 10 {
			sink = make([]byte, 32<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d leaked=%d\n", ms.NumGC, ms.NumForcedGC, len(leaked))
}
