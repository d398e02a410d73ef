module example.com/bigstacks

go 1.22
