module example.com/dynamic-configuration

go 1.26
