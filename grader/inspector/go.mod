module gograder.dev/inspector

go 1.24
