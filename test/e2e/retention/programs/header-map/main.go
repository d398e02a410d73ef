// A frame cache that keeps the 16-byte header of every 1 MiB buffer it read: each sub-slice pins the
// whole buffer.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
)

var frameHeaders = map[string][]byte{}

func readFrame(i int) []byte {
	buf := make([]byte, 1<<20)
	for j := range buf[:64] {
		buf[j] = byte(i + j)
	}
	return buf
}

func remember(i int, fixed bool) {
	buf := readFrame(i)
	key := "frame-" + strconv.Itoa(i)
	if fixed {
		frameHeaders[key] = append([]byte(nil), buf[:16]...)
		return
	}
	frameHeaders[key] = buf[:16]
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	fixed := flag.Bool("fixed", false, "copy the headers out")
	flag.Parse()
	for i := 0; i < 40; i++ {
		remember(i, *fixed)
	}
	runtime.GC()
	serveAndWait(*addr)
}

func serveAndWait(addr string) {
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		go http.Serve(ln, nil)
	}
	fmt.Println("ready")
	select {}
}
