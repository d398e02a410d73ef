// Prints the memory limit the Go runtime read from GOMEMLIMIT, in bytes. The runtime refuses to
// start (exit 2, "malformed GOMEMLIMIT") on a spelling it cannot parse, so this shows exactly which
// spellings Go accepts and what they mean.
package main

import (
	"fmt"
	"runtime/debug"
)

func main() {
	fmt.Println(debug.SetMemoryLimit(-1))
}
