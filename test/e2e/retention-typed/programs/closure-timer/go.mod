module example.com/closure-timer

go 1.19
