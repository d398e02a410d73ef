module example.com/finalizer-cycle

go 1.19
