module example.com/leak-rate

go 1.19
