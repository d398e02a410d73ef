module example.com/blocked-goroutines

go 1.19
