module example.com/steady-churn

go 1.19
