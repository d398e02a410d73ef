module example.com/warmup-plateau

go 1.19
