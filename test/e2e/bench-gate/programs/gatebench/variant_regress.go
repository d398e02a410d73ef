//go:build regress

package gatebench

// One more allocation in Encode: the regression the gate must catch.
const encodeExtraAllocation = true
const formatBufferSize = 16
const sumAllocates = false
