module example.com/dwarforacle

go 1.21
