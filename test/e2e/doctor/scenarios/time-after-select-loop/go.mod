module example.com/eventconsumer

go 1.21
