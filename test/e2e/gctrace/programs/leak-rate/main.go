// leak-rate keeps -rate MiB of every second's allocations forever (a request log that is never
// trimmed), alongside short-lived garbage, for SCENARIO_SECONDS (default 10). It prints how much it
// leaked and over how long, so a test can compare the judged slope with the real rate.
// Expected trend: growing.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

var (
	sink   []byte
	leaked [][]byte
)

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 10
}

func main() {
	rate := flag.Float64("rate", 20, "MiB leaked per second")
	flag.Parse()
	total := runSeconds()
	start := time.Now()
	leakedBytes := 0
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		elapsed := time.Since(start).Seconds()
		if elapsed >= total {
			break
		}
		// Catch up with the wall clock, so a loaded machine does not slow the leak down.
		for float64(leakedBytes) < *rate*1048576*elapsed {
			leaked = append(leaked, make([]byte, 64<<10))
			leakedBytes += 64 << 10
		}
		for i := 0; i < 40; i++ {
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d leakedbytes=%d seconds=%.3f\n", ms.NumGC, ms.NumForcedGC, leakedBytes, time.Since(start).Seconds())
}
