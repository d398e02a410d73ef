//go:build heapscope

// heapscope_hook.go lets heapscope ask this program for a heap dump (runtime/debug.WriteHeapDump).
// It is compiled only with `go build -tags heapscope` and does nothing unless HEAPSCOPE_HOOK_DIR is
// set, so it can stay in the tree. Standard library only; builds with Go 1.19 and later, on every
// system but Plan 9 (Windows has no signal trigger).
//
// Environment (read once at start, then removed so child processes do not inherit it):
//
//	HEAPSCOPE_HOOK_DIR     existing directory that receives the dumps (required)
//	HEAPSCOPE_HOOK_ADDR    loopback address to serve on, e.g. 127.0.0.1:7070 or :0 (any free port)
//	HEAPSCOPE_HOOK_TOKEN   secret of 16+ characters the HTTP request must carry (required with ADDR)
//	HEAPSCOPE_HOOK_SIGNAL  "1": SIGUSR2 writes a dump too (after a GC) and prints its path to stderr
//
// HTTP: POST /heapscope/heapdump[?gc=1] with "Authorization: Bearer TOKEN" writes a dump to a new
// file (mode 0600) in the directory and answers {"path":..., "bytes":..., "dumpNs":..., "gcNs":...}.
// Once listening, the hook writes DIR/heapscope-hook.json ({"addr":..., "pid":..., "goVersion":...})
// and prints one stderr line starting with "heapscope-hook: ".
// A dump holds every secret in the program's memory: delete it once read.
package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func init() { heapscopeHookStart() }

var heapscopeHookMu sync.Mutex // one dump at a time
var heapscopeHookSeq int

type heapscopeHookDump struct {
	Path      string `json:"path"`
	Bytes     int64  `json:"bytes"`
	DumpNs    int64  `json:"dumpNs"`
	GcNs      int64  `json:"gcNs"`
	GoVersion string `json:"goVersion"`
	Pid       int    `json:"pid"`
}

func heapscopeHookStart() {
	dir, addr := os.Getenv("HEAPSCOPE_HOOK_DIR"), os.Getenv("HEAPSCOPE_HOOK_ADDR")
	token, sig := os.Getenv("HEAPSCOPE_HOOK_TOKEN"), os.Getenv("HEAPSCOPE_HOOK_SIGNAL")
	for _, name := range []string{"HEAPSCOPE_HOOK_DIR", "HEAPSCOPE_HOOK_ADDR", "HEAPSCOPE_HOOK_TOKEN", "HEAPSCOPE_HOOK_SIGNAL"} {
		os.Unsetenv(name)
	}
	if dir == "" {
		return
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		heapscopeHookLog("HEAPSCOPE_HOOK_DIR %q is not a directory; hook disabled", dir)
		return
	}
	if sig == "1" {
		heapscopeHookWatchSignal(dir)
	}
	if addr == "" {
		return
	}
	if len(token) < 16 {
		heapscopeHookLog("HEAPSCOPE_HOOK_TOKEN must have 16 or more characters; not listening")
		return
	}
	listener, err := heapscopeHookListen(addr)
	if err != nil {
		heapscopeHookLog("%v; not listening", err)
		return
	}
	mux := http.NewServeMux() // private: the program's own DefaultServeMux is left alone
	mux.HandleFunc("/heapscope/heapdump", func(w http.ResponseWriter, r *http.Request) {
		heapscopeHookServe(w, r, dir, token)
	})
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go server.Serve(listener)
	bound := listener.Addr().String()
	if err := heapscopeHookWriteReady(dir, bound); err != nil {
		heapscopeHookLog("cannot write %s: %v", filepath.Join(dir, "heapscope-hook.json"), err)
	}
	heapscopeHookLog("listening on %s", bound)
}

// heapscopeHookListen accepts only loopback addresses; an empty host means 127.0.0.1.
func heapscopeHookListen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("HEAPSCOPE_HOOK_ADDR %q: %v", addr, err)
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("HEAPSCOPE_HOOK_ADDR %q is not a loopback address", addr)
	}
	return net.Listen("tcp", net.JoinHostPort(host, port))
}

func heapscopeHookServe(w http.ResponseWriter, r *http.Request, dir, token string) {
	w.Header().Set("Content-Type", "application/json")
	want := sha256.Sum256([]byte("Bearer " + token))
	got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"missing or wrong token"}` + "\n"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		w.Write([]byte(`{"error":"use POST"}` + "\n"))
		return
	}
	dump, err := heapscopeHookDumpTo(dir, r.URL.Query().Get("gc") == "1")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	json.NewEncoder(w).Encode(dump)
}

// heapscopeHookDumpTo writes a dump to a new regular file: the runtime ignores write errors and
// stops the world while writing, so a pipe or socket read by this process would deadlock it.
func heapscopeHookDumpTo(dir string, gc bool) (*heapscopeHookDump, error) {
	heapscopeHookMu.Lock()
	defer heapscopeHookMu.Unlock()
	var file *os.File
	for file == nil {
		heapscopeHookSeq++
		name := fmt.Sprintf("heapdump-%d-%d.bin", os.Getpid(), heapscopeHookSeq)
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
		if err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		file = f
	}
	dump := &heapscopeHookDump{Path: file.Name(), GoVersion: runtime.Version(), Pid: os.Getpid()}
	if gc {
		start := time.Now()
		runtime.GC()
		dump.GcNs = int64(time.Since(start))
	}
	start := time.Now()
	debug.WriteHeapDump(file.Fd())
	dump.DumpNs = int64(time.Since(start))
	info, err := file.Stat()
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dump.Path)
		return nil, err
	}
	dump.Bytes = info.Size()
	return dump, nil
}

func heapscopeHookWatchSignal(dir string) {
	// SIGUSR2 by name: syscall has no such constant on Windows, where there is no signal trigger.
	var usr2 os.Signal
	for i := 1; i < 65 && usr2 == nil; i++ {
		if syscall.Signal(i).String() == "user defined signal 2" {
			usr2 = syscall.Signal(i)
		}
	}
	if usr2 == nil {
		heapscopeHookLog("no SIGUSR2 on this system; HEAPSCOPE_HOOK_SIGNAL ignored")
		return
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, usr2)
	go func() {
		for range signals {
			dump, err := heapscopeHookDumpTo(dir, true)
			if err != nil {
				heapscopeHookLog("heap dump failed: %v", err)
				continue
			}
			heapscopeHookLog("heap dump written to %s (%d bytes in %s)", strconv.Quote(dump.Path), dump.Bytes, time.Duration(dump.DumpNs))
		}
	}()
}

// heapscopeHookWriteReady publishes the bound address with a rename, so a reader never sees half a file.
func heapscopeHookWriteReady(dir, addr string) error {
	body, _ := json.Marshal(map[string]interface{}{"addr": addr, "pid": os.Getpid(), "goVersion": runtime.Version()})
	temp := filepath.Join(dir, fmt.Sprintf(".heapscope-hook.%d.tmp", os.Getpid()))
	if err := os.WriteFile(temp, append(body, '\n'), 0600); err != nil {
		return err
	}
	return os.Rename(temp, filepath.Join(dir, "heapscope-hook.json"))
}

func heapscopeHookLog(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "heapscope-hook: "+format+"\n", args...)
}
