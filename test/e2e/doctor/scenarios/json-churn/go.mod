module example.com/ordertransform

go 1.22
