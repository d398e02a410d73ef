//go:build extra

package main

const extraTag = true
