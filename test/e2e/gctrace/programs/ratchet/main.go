// ratchet processes batches like the sawtooth, but every batch leaves about 0.4 MiB behind (an
// index entry that is never removed): the live heap still rises and falls with each batch, and
// its minima keep rising. Expected trend: growing.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

var (
	sink  []byte
	index [][]byte
)

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 30
}

func main() {
	total := runSeconds()
	// Batch jobs often run with a lower GOGC to keep the peak down; it also means several cycles
	// per batch, so the trace samples each batch at several fill levels.
	debug.SetGCPercent(25)
	const itemBytes = 32 << 10
	const itemsPerBatch = 640 // 20 MiB
	start := time.Now()
	var batch [][]byte
	batchStart := time.Now()
	released := false
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		if time.Since(start).Seconds() >= total {
			break
		}
		inBatch := time.Since(batchStart).Seconds()
		switch {
		case inBatch < 0.4:
			want := int(float64(itemsPerBatch) * inBatch / 0.4)
			for len(batch) < want {
				batch = append(batch, make([]byte, itemBytes))
			}
		case inBatch < 0.5:
			if !released {
				// The leak: 12 of the batch's items are kept in an index forever (fewer when a
				// stalled ticker let the filling phase pass without a tick).
				kept := 12
				if len(batch) < kept {
					kept = len(batch)
				}
				index = append(index, batch[:kept]...)
				batch = nil
				released = true
			}
		default:
			batchStart = time.Now()
			released = false
		}
		for i := 0; i < 180; i++ { // about 150 MB/s of short-lived garbage
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d indexed=%d\n", ms.NumGC, ms.NumForcedGC, len(index))
}
