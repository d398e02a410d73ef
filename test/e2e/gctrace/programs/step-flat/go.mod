module example.com/step-flat

go 1.19
