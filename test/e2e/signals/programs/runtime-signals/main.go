// runtime-signals: a small Go program that exposes every runtime signal heapscope reads, and a way
// to read the program's own view of them at the same instant, so tests can compare.
//
//	/debug/vars          expvar (memstats, cmdline, goroutines)
//	/debug/pprof/...     net/http/pprof
//	/snapshot            one runtime.ReadMemStats: the expvar encoding plus exact decimal strings
//	/dump?debug=N        runtime.NumGoroutine() (X-Num-Goroutine header) and the goroutine profile,
//	                     written by the same handler while the count holds still, so both describe one moment
//	/spawn?n=N           start N more leaked goroutines
//	/quiesce             stop the allocation loop and goroutine spawning
//	/gcoff               debug.SetGCPercent(-1): NumGC stops moving (exact comparisons)
//	/gc                  runtime.GC()
//
// Modes (-mode): healthy (garbage only), leak (garbage + retained heap + a leaked goroutine per
// tick), panic (start some goroutines then panic; for traceback output).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	retained     [][]byte
	retainedMu   sync.Mutex
	sink         []byte
	quiet        atomic.Bool
	blockForever = make(chan struct{})
)

// leakyWorker blocks on a channel nobody else can reach: a goroutine leak.
func leakyWorker() {
	ch := make(chan int)
	<-ch
}

// waitsOnGlobal blocks on a channel that stays reachable: not a leak the GC could prove.
func waitsOnGlobal() {
	<-blockForever
}

// recurse blocks at the bottom of a deep stack: tracebacks elide its middle frames.
func recurse(depth int) int {
	if depth == 0 {
		<-blockForever
		return 0
	}
	return recurse(depth-1) + 1
}

func spawnLeaks(n int) {
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			go leakyWorker()
		} else {
			pprof.Do(context.Background(), pprof.Labels("worker", "leaky"), func(context.Context) {
				go leakyWorker()
			})
		}
	}
}

func allocationLoop(mode string) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for range tick.C {
		if quiet.Load() {
			continue
		}
		// Garbage: a few MiB per second, enough for frequent GCs.
		for i := 0; i < 16; i++ {
			sink = make([]byte, 16<<10)
		}
		n++
		if mode == "leak" {
			retainedMu.Lock()
			retained = append(retained, make([]byte, 128<<10))
			retainedMu.Unlock()
			if n%5 == 0 {
				go leakyWorker()
			}
		}
	}
}

// logMemStats prints MemStats the way many programs log them (MiB, integer division).
func logMemStats(every time.Duration) {
	logger := log.New(os.Stdout, "", log.LstdFlags|log.Lmicroseconds)
	for range time.Tick(every) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		logger.Printf("Alloc = %v MiB\tTotalAlloc = %v MiB\tSys = %v MiB\tNumGC = %v", m.Alloc>>20, m.TotalAlloc>>20, m.Sys>>20, m.NumGC)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "healthy", "healthy|leak|panic")
	leaks := flag.Int("leaks", 0, "goroutines to leak at start")
	deep := flag.Int("deep", 0, "start a goroutine blocked this many calls deep")
	logEvery := flag.Duration("log-memstats", 0, "print the usual `Alloc = N MiB ...` log line this often")
	flag.Parse()

	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))

	spawnLeaks(*leaks)
	if *deep > 0 {
		go recurse(*deep)
	}
	go waitsOnGlobal()
	if *mode == "panic" {
		time.Sleep(50 * time.Millisecond)
		var m map[string]int
		m["boom"] = 1
	}
	go allocationLoop(*mode)
	if *logEvery > 0 {
		go logMemStats(*logEvery)
	}

	http.HandleFunc("/snapshot", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		encoded, err := json.Marshal(&ms)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		reference := map[string]any{
			"HeapAlloc":    strconv.FormatUint(ms.HeapAlloc, 10),
			"TotalAlloc":   strconv.FormatUint(ms.TotalAlloc, 10),
			"Sys":          strconv.FormatUint(ms.Sys, 10),
			"Mallocs":      strconv.FormatUint(ms.Mallocs, 10),
			"Frees":        strconv.FormatUint(ms.Frees, 10),
			"HeapInuse":    strconv.FormatUint(ms.HeapInuse, 10),
			"HeapIdle":     strconv.FormatUint(ms.HeapIdle, 10),
			"HeapReleased": strconv.FormatUint(ms.HeapReleased, 10),
			"HeapObjects":  strconv.FormatUint(ms.HeapObjects, 10),
			"NextGC":       strconv.FormatUint(ms.NextGC, 10),
			"LastGC":       strconv.FormatUint(ms.LastGC, 10),
			"PauseTotalNs": strconv.FormatUint(ms.PauseTotalNs, 10),
			"NumGC":        strconv.FormatUint(uint64(ms.NumGC), 10),
			// The most recent pause end, read the way the MemStats docs say.
			"LatestPauseEnd": strconv.FormatUint(ms.PauseEnd[(ms.NumGC+255)%256], 10),
			"LatestPauseNs":  strconv.FormatUint(ms.PauseNs[(ms.NumGC+255)%256], 10),
		}
		ref, _ := json.Marshal(reference)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\n\"memstats\": %s,\n\"reference\": %s\n}\n", encoded, ref)
	})
	http.HandleFunc("/dump", func(w http.ResponseWriter, r *http.Request) {
		level, _ := strconv.Atoi(r.URL.Query().Get("debug"))
		// A goroutine may start or end between counting and writing (an HTTP connection closing):
		// write again until the count around the profile holds still, so both describe one moment.
		var profile bytes.Buffer
		count := -1
		for attempt := 0; attempt < 20; attempt++ {
			profile.Reset()
			before := runtime.NumGoroutine()
			if err := pprof.Lookup("goroutine").WriteTo(&profile, level); err != nil {
				log.Print(err)
			}
			count = runtime.NumGoroutine()
			if before == count {
				break
			}
		}
		w.Header().Set("X-Num-Goroutine", strconv.Itoa(count))
		w.Write(profile.Bytes())
	})
	http.HandleFunc("/spawn", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		spawnLeaks(n)
		fmt.Fprintln(w, runtime.NumGoroutine())
	})
	http.HandleFunc("/quiesce", func(w http.ResponseWriter, r *http.Request) {
		quiet.Store(true)
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/gcoff", func(w http.ResponseWriter, r *http.Request) {
		debug.SetGCPercent(-1)
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/gc", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintln(w, ms.NumGC)
	})

	server := &http.Server{Addr: *addr}
	fmt.Fprintf(os.Stdout, "listening %s\n", *addr)
	log.Fatal(server.ListenAndServe())
}
