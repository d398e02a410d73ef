module example.com/hooktarget

go 1.19
