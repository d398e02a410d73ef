module example.com/authsvc

go 1.22
