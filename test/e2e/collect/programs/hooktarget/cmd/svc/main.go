// A program to dump: it keeps a known amount of heap reachable from globals, prints one JSON line
// describing itself, then waits to be killed, printing "program got SIGUSR2" for each SIGUSR2 (its
// own use of the signal, which the hook must not take away). Flags: -mib N (heap to hold).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"unsafe"
)

type node struct {
	next    *node
	payload [96]byte
}

// chunks and head are the roots the heap hangs from.
var chunks [][]byte
var head *node

func main() {
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	mib := flag.Int("mib", 4, "MiB of byte slices to hold")
	flag.Parse()
	for i := 0; i < *mib*16; i++ {
		chunks = append(chunks, make([]byte, 64<<10))
	}
	for i := 0; i < 10000; i++ {
		head = &node{next: head}
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{
		"chunksAddr":   uintptr(unsafe.Pointer(&chunks)),
		"chunksSize":   unsafe.Sizeof(chunks),
		"message":      message,
		"extraTag":     extraTag,
		"args":         flag.Args(),
		"tokenVisible": os.Getenv("HEAPSCOPE_HOOK_TOKEN") != "",
	})
	for range usr2 {
		fmt.Println("program got SIGUSR2")
	}
}
