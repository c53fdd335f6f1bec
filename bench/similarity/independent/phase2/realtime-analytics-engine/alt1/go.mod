module example.com/realtime-analytics-engine

go 1.26
