// Package noisy does a random amount of work per call, so its time per op is noisy while its
// allocations stay exact: the input of the A/A false-positive test.
package noisy

import "math/rand/v2"

// Work spins a random number of rounds and returns a checksum.
func Work(r *rand.Rand) uint64 {
	rounds := 200 + r.IntN(400)
	x := r.Uint64() | 1
	for i := 0; i < rounds; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
