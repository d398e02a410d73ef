// leaky-service: heapscope's demo. A small order API that keeps an audit trail of every request it
// serves in a map keyed by request ID, and never evicts anything. It drives itself with a built-in
// load generator, so running it is enough to watch the leak.
//
//	go run . -addr 127.0.0.1:6060
//	heapscope doctor --url http://127.0.0.1:6060 --duration 30s
package main

import (
	"encoding/json"
	_ "expvar"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"sync"
	"time"
)

type order struct {
	ID       string   `json:"id"`
	Customer string   `json:"customer"`
	Items    []string `json:"items"`
	Total    float64  `json:"total"`
}

type auditEntry struct {
	at      time.Time
	path    string
	request []byte
}

type server struct {
	mu    sync.Mutex
	audit map[string]*auditEntry // request ID → entry; nothing ever deletes from it
}

func (s *server) remember(requestID, path string, body []byte) {
	entry := &auditEntry{at: time.Now(), path: path, request: make([]byte, len(body))}
	copy(entry.request, body)
	s.mu.Lock()
	s.audit[requestID] = entry
	s.mu.Unlock()
}

func (s *server) handleOrder(w http.ResponseWriter, r *http.Request) {
	var o order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body, _ := json.Marshal(o)
	s.remember(r.Header.Get("X-Request-ID"), r.URL.Path, body)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"accepted":%q}`, o.ID)
}

func generateLoad(base string) {
	client := &http.Client{Timeout: 5 * time.Second}
	rng := rand.New(rand.NewSource(42))
	for i := 0; ; i++ {
		o := order{ID: "o-" + strconv.Itoa(i), Customer: "c-" + strconv.Itoa(rng.Intn(500))}
		for k := 0; k < 20+rng.Intn(20); k++ {
			o.Items = append(o.Items, "sku-"+strconv.Itoa(rng.Intn(10000)))
		}
		o.Total = float64(len(o.Items)) * 9.99
		payload, _ := json.Marshal(o)
		req, _ := http.NewRequest(http.MethodPost, base+"/orders", bytesReader(payload))
		req.Header.Set("X-Request-ID", "req-"+strconv.Itoa(i))
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "listen address (API, pprof and expvar)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{audit: map[string]*auditEntry{}}
	http.HandleFunc("/orders", s.handleOrder)
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go generateLoad("http://" + ln.Addr().String())
	log.Fatal(http.Serve(ln, nil))
}
