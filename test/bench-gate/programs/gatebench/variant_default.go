//go:build !regress && !smallgrow

package gatebench

const encodeExtraAllocation = false
const formatBufferSize = 16
