module example.com/high-performance-cache

go 1.26
