module example.com/steadyheap

go 1.19
