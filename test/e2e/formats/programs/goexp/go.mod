module example.com/goexp

go 1.19
