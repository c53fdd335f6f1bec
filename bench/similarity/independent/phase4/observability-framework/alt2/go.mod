module example.com/observability-framework

go 1.26
