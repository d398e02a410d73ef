//go:build zeroalloc

package gatebench

// Sum, a zero-allocation path, starts copying its input: 0 → 1 allocs/op.
const encodeExtraAllocation = false
const formatBufferSize = 16
const sumAllocates = true
