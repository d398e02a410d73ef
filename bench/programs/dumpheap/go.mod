module example.com/dumpheap

go 1.19
