// Workers that each hold a request buffer while they wait for a reply that never comes.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"
)

func awaitReply(id int, replies chan []byte, fixed bool) {
	request := make([]byte, 256<<10)
	request[0] = byte(id)
	if fixed {
		select {
		case reply := <-replies:
			request = append(request[:0], reply...)
		case <-time.After(50 * time.Millisecond):
			return
		}
	} else {
		reply := <-replies
		request = append(request[:0], reply...)
	}
	fmt.Println(len(request))
}

func main() {
	addr := flag.String("addr", "", "serve net/http/pprof here")
	fixed := flag.Bool("fixed", false, "give up waiting after a timeout")
	flag.Parse()
	replies := make(chan []byte)
	for i := 0; i < 96; i++ {
		go awaitReply(i, replies, *fixed)
	}
	time.Sleep(300 * time.Millisecond)
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
