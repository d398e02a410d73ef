module example.com/inventorypoller

go 1.22
