package main

// message is replaced by the tests through an -overlay of their own.
const message = "from the tree"
