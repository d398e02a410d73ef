module example.com/geoip

go 1.22
