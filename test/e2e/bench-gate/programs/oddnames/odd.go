// Package odd exists for its benchmark names, which contain characters that Markdown, HTML and
// GitHub workflow commands treat specially.
package odd

// Grow returns a slice of n bytes.
func Grow(n int) []byte { return make([]byte, n) }
