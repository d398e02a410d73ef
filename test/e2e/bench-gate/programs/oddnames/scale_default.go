//go:build !grow

package odd

const scale = 1
