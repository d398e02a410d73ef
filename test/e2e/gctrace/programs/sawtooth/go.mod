module example.com/sawtooth

go 1.19
