module example.com/broadheap

go 1.19
