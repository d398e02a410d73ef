// cpulabels writes profiles with string labels (pprof.Do) and time units, which heap profiles do
// not have: a CPU profile of labelled workers (cpu.pb.gz, with a duration) and a goroutine profile
// of labelled, parked goroutines (goroutine.pb.gz), into the directory given as the argument.
package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

var sink uint64

//go:noinline
func parse(n int) uint64 {
	var x uint64
	for i := 0; i < n; i++ {
		x = x*31 + uint64(i)
	}
	return x
}

//go:noinline
func render(n int) uint64 {
	var x uint64 = 7
	for i := 0; i < n; i++ {
		x ^= x<<13 + uint64(i)
	}
	return x
}

func work(ctx context.Context, worker string, until time.Time, wg *sync.WaitGroup) {
	defer wg.Done()
	pprof.Do(ctx, pprof.Labels("worker", worker, "phase", "parse"), func(context.Context) {
		for time.Now().Before(until) {
			sink += parse(200000)
			pprof.Do(ctx, pprof.Labels("phase", "render"), func(context.Context) {
				sink += render(100000)
			})
		}
	})
}

func main() {
	dir := os.Args[1]
	f, err := os.Create(filepath.Join(dir, "cpu.pb.gz"))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	until := time.Now().Add(1200 * time.Millisecond)
	for _, w := range []string{"a", "b"} {
		wg.Add(1)
		go work(context.Background(), w, until, &wg)
	}
	wg.Wait()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}

	// Parked, labelled goroutines for the goroutine profile.
	release := make(chan struct{})
	var parked sync.WaitGroup
	for i, w := range []string{"a", "b", "b", "c"} {
		parked.Add(1)
		go pprof.Do(context.Background(), pprof.Labels("worker", w, "slot", string(rune('0'+i))), func(context.Context) {
			parked.Done()
			<-release
		})
	}
	parked.Wait()
	g, err := os.Create(filepath.Join(dir, "goroutine.pb.gz"))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(g, 0); err != nil {
		panic(err)
	}
	if err := g.Close(); err != nil {
		panic(err)
	}
	close(release)
}
