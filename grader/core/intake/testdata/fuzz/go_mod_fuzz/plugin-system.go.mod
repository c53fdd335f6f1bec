module example.com/plugin-system

go 1.26
