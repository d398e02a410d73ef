module example.com/handler-subslice

go 1.19
