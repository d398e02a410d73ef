module example.com/manybench

go 1.22
