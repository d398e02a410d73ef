// steady-churn keeps a constant population of session records (pointerful, random sizes) and
// replaces a share of them continuously; requests in flight hold a varying amount of buffers.
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

type session struct {
	id      int
	payload []byte
	meta    *sessionMeta
}

type sessionMeta struct {
	peers []int
	tags  map[string]string
}

var sink []byte

func runSeconds() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("SCENARIO_SECONDS"), 64); err == nil && s > 0 {
		return s
	}
	return 30
}

func newSession(id int, population int) *session {
	meta := &sessionMeta{tags: map[string]string{"region": "eu", "tier": strconv.Itoa(id % 3)}}
	for i := 0; i < 4; i++ {
		meta.peers = append(meta.peers, rand.Intn(population))
	}
	return &session{id: id, payload: make([]byte, 1<<10+rand.Intn(31<<10)), meta: meta}
}

func main() {
	total := runSeconds()
	const population = 2500 // about 40 MiB on average
	sessions := make([]*session, 0, population)
	for i := 0; i < population; i++ {
		sessions = append(sessions, newSession(i, population))
	}
	var inFlight [][]byte
	start := time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for id := population; ; {
		<-ticker.C
		if time.Since(start).Seconds() >= total {
			break
		}
		for i := 0; i < 25; i++ {
			sessions[rand.Intn(population)] = newSession(id, population)
			id++
		}
		// Requests in flight: between 0 and 4 MiB of buffers held at any moment.
		want := rand.Intn(64)
		for len(inFlight) < want {
			inFlight = append(inFlight, make([]byte, 64<<10))
		}
		inFlight = inFlight[:want]
		for i := 0; i < 150; i++ {
			sink = make([]byte, 8<<10)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc=%d numforcedgc=%d\n", ms.NumGC, ms.NumForcedGC)
}
