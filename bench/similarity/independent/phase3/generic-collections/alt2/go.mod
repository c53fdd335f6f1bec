module example.com/generic-collections

go 1.26
