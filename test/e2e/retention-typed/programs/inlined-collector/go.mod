module example.com/inlined-collector

go 1.19
