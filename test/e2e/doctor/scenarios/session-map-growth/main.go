// A login service that remembers every session in a map and never expires any.
package main

import (
	_ "expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"sync"
	"time"
)

type session struct {
	user      string
	createdAt time.Time
	scopes    []string
	csrf      [64]byte
	history   []byte
}

type sessionStore struct {
	mu       sync.Mutex
	sessions map[string]*session
}

func newSession(user string) *session {
	s := &session{user: user, createdAt: time.Now(), scopes: []string{"read", "write"}}
	s.history = make([]byte, 0, 1536)
	return s
}

func (st *sessionStore) login(id int) {
	key := "sess-" + strconv.Itoa(id)
	s := newSession("user" + strconv.Itoa(id%977))
	st.mu.Lock()
	st.sessions[key] = s
	st.mu.Unlock()
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

	store := &sessionStore{sessions: map[string]*session{}}
	id := 0
	for range time.Tick(5 * time.Millisecond) {
		for i := 0; i < 2; i++ {
			id++
			store.login(id)
		}
	}
}
