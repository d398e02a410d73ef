module example.com/ratchet

go 1.19
