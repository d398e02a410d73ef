module example.com/noisybench

go 1.22
