// fast-leak appends every request's buffer to a global slice: about 4 MiB/s that is never freed.
// Expected trend: growing.
package main

import (
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
	return 20
}

func main() {
	total := runSeconds()
	start := time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		if time.Since(start).Seconds() >= total {
			break
		}
		leaked = append(leaked, make([]byte, 40<<10))
		for i := 0; i < 60; i++ {
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d leaked=%d\n", ms.NumGC, ms.NumForcedGC, len(leaked))
}
