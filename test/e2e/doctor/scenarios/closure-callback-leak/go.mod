module example.com/conntrack

go 1.22
