module example.com/heapgen

go 1.19
