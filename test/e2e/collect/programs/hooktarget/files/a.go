// `go run a.go b.go` form: two files of one main package, listed on the command line.
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println(greeting())
	time.Sleep(time.Hour)
}
