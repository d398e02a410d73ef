package noisy

import (
	"math/rand/v2"
	"testing"
	"time"
)

var sink uint64

func BenchmarkNoisy(b *testing.B) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := 0; i < b.N; i++ {
		sink += Work(r)
	}
}
