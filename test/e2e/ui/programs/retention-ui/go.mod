module example.com/retention-ui

go 1.19
