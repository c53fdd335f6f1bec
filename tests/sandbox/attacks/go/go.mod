module gograder.test/attacks

go 1.24
