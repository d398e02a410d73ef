package gatebench

import (
	"fmt"
	"testing"
)

var (
	sinkInt    int
	sinkRecord *record
	sinkBytes  []byte
	sinkString string
	sinkMap    map[int]int
)

func BenchmarkSum(b *testing.B) {
	values := []int{1, 2, 3, 4, 5, 6, 7, 8}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkInt = Sum(values)
	}
}

func BenchmarkEncode(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sinkRecord = Encode(i)
	}
}

func BenchmarkFormat(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sinkBytes = Format(i)
	}
}

func BenchmarkConcat(b *testing.B) {
	parts := []string{"alpha", "beta", "gamma", "delta"}
	b.SetBytes(int64(len("alphabetagammadelta")))
	for i := 0; i < b.N; i++ {
		sinkString = Concat(parts)
	}
}

func BenchmarkIndex(b *testing.B) {
	for _, size := range []int{8, 64} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sinkMap = Index(size)
			}
			b.ReportMetric(float64(size), "entries/op")
		})
	}
}
