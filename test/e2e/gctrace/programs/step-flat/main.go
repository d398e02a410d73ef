// step-flat holds about 20 MiB, then at 40% of the run loads a larger data set (about 40 MiB more,
// as after a deploy or a configuration reload) and keeps it. Expected trend after the step: stable.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

var (
	sink    []byte
	dataset [][]byte
)

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 30
}

func load(mib int) [][]byte {
	out := make([][]byte, 0, mib*16)
	for i := 0; i < mib*16; i++ {
		out = append(out, make([]byte, 64<<10))
	}
	return out
}

func main() {
	total := runSeconds()
	dataset = load(20)
	stepped := false
	start := time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		elapsed := time.Since(start).Seconds()
		if elapsed >= total {
			break
		}
		if !stepped && elapsed >= total*0.4 {
			dataset = load(60)
			stepped = true
		}
		for i := 0; i < 150; i++ { // about 120 MB/s of request garbage
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d sets=%d\n", ms.NumGC, ms.NumForcedGC, len(dataset))
}
