// sawtooth processes batches: each batch accumulates about 20 MiB of items over 0.4 s, is handed
// off, then dropped, and the next starts after a short pause. The live heap after GC rises and
// falls with every batch; its envelope is flat. Expected trend: stable.
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
	sink      []byte
	baseState [][]byte
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
	for i := 0; i < 8; i++ { // 8 MiB of state held for the whole run
		baseState = append(baseState, make([]byte, 1<<20))
	}
	const itemBytes = 32 << 10
	const itemsPerBatch = 640 // 20 MiB
	start := time.Now()
	var batch [][]byte
	batchStart := time.Now()
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
			batch = nil // handed off and released; pause before the next batch
		default:
			batchStart = time.Now()
		}
		for i := 0; i < 180; i++ { // about 150 MB/s of short-lived garbage
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d\n", ms.NumGC, ms.NumForcedGC)
}
