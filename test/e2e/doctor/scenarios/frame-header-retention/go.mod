module example.com/framestore

go 1.22
