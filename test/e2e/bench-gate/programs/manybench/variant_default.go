//go:build !regress

package many

const regressWorkload = -1
