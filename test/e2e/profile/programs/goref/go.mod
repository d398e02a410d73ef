module example.com/goref

go 1.22
