module example.com/struct-field

go 1.19
