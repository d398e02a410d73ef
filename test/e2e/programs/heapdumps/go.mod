module example.com/heapdumps

go 1.19
