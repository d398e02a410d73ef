module example.com/runaway

go 1.22
