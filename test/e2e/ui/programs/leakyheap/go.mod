module example.com/leakyheap

go 1.22
