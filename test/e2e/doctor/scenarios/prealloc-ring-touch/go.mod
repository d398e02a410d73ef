module example.com/metricsring

go 1.19
