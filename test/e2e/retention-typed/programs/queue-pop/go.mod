module example.com/queue-pop

go 1.19
