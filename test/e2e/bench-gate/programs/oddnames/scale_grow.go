//go:build grow

package odd

// Every benchmark allocates four times as many bytes.
const scale = 4
