// gogc-off-memlimit runs with GOGC=off and a GOMEMLIMIT (set by the caller): the collector only
// runs when the heap nears the limit. The live set is constant; garbage is produced steadily.
// Expected trend: stable.
package main

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"time"
)

var (
	sink []byte
	live [][]byte
)

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 30
}

func main() {
	total := runSeconds()
	for i := 0; i < 1024; i++ { // 32 MiB live set
		live = append(live, make([]byte, 32<<10))
	}
	start := time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		if time.Since(start).Seconds() >= total {
			break
		}
		// Replace a few live entries so the live set churns without growing.
		for i := 0; i < 4; i++ {
			live[rand.Intn(len(live))] = make([]byte, 32<<10)
		}
		for i := 0; i < 200; i++ { // about 160 MB/s of garbage
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d\n", ms.NumGC, ms.NumForcedGC)
}
