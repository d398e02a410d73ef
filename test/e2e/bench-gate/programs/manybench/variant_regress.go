//go:build regress

package many

// Workload 02 (three nodes) allocates one node too many: allocs/op 3 → 4 (+33 %) while
// B/op grows by only 16 bytes, under the 64-byte floor.
const regressWorkload = 2
