// warmup-plateau fills a cache linearly during the first 30% of the run, then keeps it at a fixed
// capacity (evicting the oldest entry for every new one) while serving request garbage.
// Expected live-heap trend after the warm-up: stable.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

var sink []byte

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 30
}

func main() {
	total := runSeconds()
	warmUp := total * 0.3
	const entryBytes = 16 << 10
	const capacity = 3000 // about 47 MiB of cached values
	cache := make(map[int][]byte, capacity)
	oldest, next := 0, 0
	start := time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		elapsed := time.Since(start).Seconds()
		if elapsed >= total {
			break
		}
		want := capacity
		if elapsed < warmUp {
			want = int(float64(capacity) * elapsed / warmUp)
		}
		for len(cache) < want {
			cache[next] = make([]byte, entryBytes)
			next++
		}
		if elapsed >= warmUp {
			// Steady state: refresh a few entries per tick, the size stays constant.
			for i := 0; i < 5; i++ {
				delete(cache, oldest)
				oldest++
				cache[next] = make([]byte, entryBytes)
				next++
			}
		}
		// Request garbage: about 120 MB/s of short-lived buffers.
		for i := 0; i < 150; i++ {
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d entries=%d\n", ms.NumGC, ms.NumForcedGC, len(cache))
}
