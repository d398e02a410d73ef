// Package gatebench holds small functions whose allocation behaviour the CI-gate tests change
// with build tags: the default build is the baseline, `regress` adds one allocation to Encode,
// `smallgrow` makes Format's buffer 32 bytes bigger (same allocation count), `zeroalloc` makes
// the allocation-free Sum allocate.
package gatebench

import "strconv"

// lastCopy keeps Sum's copy reachable, so the zeroalloc variant really allocates.
var lastCopy []int

type record struct {
	id    int
	name  string
	score float64
	extra *[4]int
}

// Sum allocates nothing (unless built with `zeroalloc`): the zero-allocation path the gate must keep at zero.
func Sum(values []int) int {
	if sumAllocates {
		copied := make([]int, len(values))
		copy(copied, values)
		lastCopy = copied
		values = copied
	}
	total := 0
	for _, v := range values {
		total += v
	}
	return total
}

// Encode allocates one record per call, plus one more under the `regress` tag.
func Encode(id int) *record {
	r := &record{id: id, score: float64(id) / 3}
	if encodeExtraAllocation {
		r.extra = &[4]int{id, id + 1, id + 2, id + 3}
	}
	return r
}

// Format allocates one buffer of formatBufferSize bytes.
func Format(id int) []byte {
	buf := make([]byte, 0, formatBufferSize)
	return strconv.AppendInt(buf, int64(id), 10)
}

// Concat allocates the joined string.
func Concat(parts []string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return string(out)
}

// Index builds a map of size n.
func Index(n int) map[int]int {
	m := make(map[int]int, n)
	for i := 0; i < n; i++ {
		m[i] = i * i
	}
	return m
}
