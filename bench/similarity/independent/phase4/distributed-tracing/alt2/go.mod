module example.com/distributed-tracing

go 1.26
