package codec

import "testing"

var sink []byte

func BenchmarkPack(b *testing.B) {
	values := []uint64{1, 300, 70000, 1 << 40}
	for i := 0; i < b.N; i++ {
		sink = Pack(values)
	}
}
