module example.com/global-truncated

go 1.19
