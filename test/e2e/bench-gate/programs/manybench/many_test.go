package many

import (
	"fmt"
	"testing"
)

var sink *node

func BenchmarkChain(b *testing.B) {
	for w := 0; w < 20; w++ {
		b.Run(fmt.Sprintf("workload=%02d", w), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sink = Chain(w + 1)
			}
		})
	}
}
