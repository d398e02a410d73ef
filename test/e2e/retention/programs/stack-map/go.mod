module example.com/stack-map

go 1.19
