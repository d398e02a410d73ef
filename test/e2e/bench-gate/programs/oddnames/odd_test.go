package odd

import "testing"

var sink []byte

// The `grow` build tag multiplies every size by four, so a "new" side regresses under the same names.
func BenchmarkOdd(b *testing.B) {
	names := []string{"<img src=x onerror=alert(1)>", "a|b", "with space", "`tick`*star*", "percent%0A::error::x"}
	for i, name := range names {
		size := 64 << i
		b.Run(name, func(b *testing.B) {
			for j := 0; j < b.N; j++ {
				sink = Grow(size * scale)
			}
		})
	}
}
