package main

func greeting() string { return "files ready" }
