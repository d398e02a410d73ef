module example.com/header-map

go 1.19
