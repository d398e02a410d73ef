module example.com/worker-local

go 1.19
