// Package codec is a second package, so the gate sees benchmarks from several packages.
package codec

import "encoding/binary"

// Pack writes values as varints into a fresh buffer.
func Pack(values []uint64) []byte {
	out := make([]byte, 0, len(values)*binary.MaxVarintLen64)
	for _, v := range values {
		out = binary.AppendUvarint(out, v)
	}
	return out
}
