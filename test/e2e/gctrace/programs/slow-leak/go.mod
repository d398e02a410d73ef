module example.com/slow-leak

go 1.19
