module example.com/runtime-signals

go 1.19
