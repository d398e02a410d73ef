module example.com/fast-leak

go 1.19
