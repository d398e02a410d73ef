module example.com/reset-global

go 1.19
