module example.com/logcompress

go 1.22
