module example.com/tamper

go 1.26
