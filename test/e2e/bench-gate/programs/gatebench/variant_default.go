//go:build !regress && !smallgrow && !zeroalloc

package gatebench

const encodeExtraAllocation = false
const formatBufferSize = 16
const sumAllocates = false
