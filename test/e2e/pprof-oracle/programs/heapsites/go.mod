module example.com/heapsites

go 1.22
