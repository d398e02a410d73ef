//go:build smallgrow

package gatebench

// Format's buffer grows by 32 bytes: +200% B/op but below the 64-byte floor.
const encodeExtraAllocation = false
const formatBufferSize = 48
const sumAllocates = false
