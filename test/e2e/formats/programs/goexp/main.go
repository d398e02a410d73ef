// goexp prints inputs and results of math.Exp as IEEE-754 bits, one pair per line: the inputs
// pprof's heap unsampling produces (-avgSize/rate) and a spread over the whole finite domain.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
)

func main() {
	n := flag.Int("n", 20000, "inputs of each kind")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	emit := func(x float64) {
		fmt.Fprintf(w, "%016x %016x\n", math.Float64bits(x), math.Float64bits(math.Exp(x)))
	}
	seed := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for i := 0; i < *n; i++ {
		size := float64(next()%(1<<24) + 1)
		count := float64(next()%4096 + 1)
		rate := []float64{524288, 4096, 1 << 20, 512}[next()%4]
		emit(-(size / count) / rate)
	}
	for i := 0; i < *n; i++ {
		emit(-750 + 1460*float64(next()>>11)/float64(1<<53))
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 709.78, 709.79, -745.1, -708.4, -1000, math.Inf(1), math.Inf(-1), math.NaN()} {
		emit(x)
	}
}
