module example.com/memlimit

go 1.22
