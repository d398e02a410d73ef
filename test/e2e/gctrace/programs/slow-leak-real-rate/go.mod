module example.com/slowleakrealrate

go 1.22
