module example.com/order-demo/inventory

go 1.22
