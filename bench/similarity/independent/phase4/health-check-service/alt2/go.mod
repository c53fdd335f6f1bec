module example.com/health-check-service

go 1.26
