module example.com/delete-middle

go 1.21
