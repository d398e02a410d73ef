module example.com/tracer

go 1.19
