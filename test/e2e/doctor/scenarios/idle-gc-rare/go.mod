module example.com/configsrv

go 1.22
