module example.com/afterfunc-closure

go 1.19
