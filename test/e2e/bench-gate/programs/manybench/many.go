// Package many has one benchmark per workload size; the `regress` build tag adds one allocation
// to exactly one of them (workload 02), so the gate must flag that row and no other.
package many

type node struct {
	value int
	next  *node
}

// Chain allocates a linked list of n nodes.
func Chain(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{value: i, next: head}
	}
	if regressWorkload >= 0 && n == regressWorkload+1 {
		head = &node{value: -1, next: head}
	}
	return head
}
