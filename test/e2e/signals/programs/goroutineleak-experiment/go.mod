module example.com/goroutineleak-experiment

go 1.26
