module example.com/gogc-off-memlimit

go 1.19
