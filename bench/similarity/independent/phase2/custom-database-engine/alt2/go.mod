module example.com/custom-database-engine

go 1.26
