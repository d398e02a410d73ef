// A ledger service that restores its state from a snapshot two seconds after start-up: about 95 MB
// of rows decoded within about a second and kept for the life of the process. Afterwards it serves light
// read traffic that only allocates short-lived buffers. The memory is held, not leaked.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"
)

type row struct {
	account uint32
	balance int64
	memo    []byte
}

var rows []row

func restoreRows(n int) {
	restored := make([]row, 0, n)
	for i := 0; i < n; i++ {
		memo := make([]byte, 3000)
		memo[0] = byte(i)
		restored = append(restored, row{account: uint32(i), balance: int64(i * 7), memo: memo})
		if i%2000 == 1999 {
			time.Sleep(25 * time.Millisecond)
		}
	}
	rows = restored
}

func serveRead(rng *rand.Rand) int {
	r := rows[rng.Intn(len(rows))]
	out := make([]byte, 0, 6<<10)
	out = append(out, r.memo[:64]...)
	return len(out)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for pprof and expvar")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go http.Serve(ln, nil)

	time.Sleep(2 * time.Second)
	restoreRows(31000)
	rng := rand.New(rand.NewSource(4))
	for range time.Tick(3 * time.Millisecond) {
		serveRead(rng)
	}
}
