// slow-leak holds a large heap (about 160 MiB) and leaks a little on every request: over the run
// the live heap grows by about 6% of its size while requests in flight make it vary by a few MiB
// from one cycle to the next. The run is short, so the leak is compressed in time: 6% in 30 s is
// what a 0.5 %/min leak shows after 12 minutes. GOGC is lowered and runtime.GC() is called every
// 250 ms so that enough cycles are seen. Expected trend: growing.
package main

import (
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

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 30
}

func main() {
	total := runSeconds()
	debug.SetGCPercent(25)
	for i := 0; i < 160; i++ {
		base = append(base, make([]byte, 1<<20))
	}
	// 6% of 160 MiB over the run, in 16 KiB records.
	leakPerSecond := 0.06 * 160 * 64 / total
	var inFlight [][]byte
	start := time.Now()
	lastForced := start
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		elapsed := time.Since(start).Seconds()
		if elapsed >= total {
			break
		}
		for float64(len(leaked)) < leakPerSecond*elapsed {
			leaked = append(leaked, make([]byte, 16<<10))
		}
		want := rand.Intn(64) // 0 to 4 MiB in flight
		for len(inFlight) < want {
			inFlight = append(inFlight, make([]byte, 64<<10))
		}
		inFlight = inFlight[:want]
		for i := 0; i < 100; i++ {
			sink = make([]byte, 8<<10)
		}
		if time.Since(lastForced) >= 250*time.Millisecond {
			runtime.GC()
			lastForced = time.Now()
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d leaked=%d\n", ms.NumGC, ms.NumForcedGC, len(leaked))
}
