module gograder.local/bench/similarity/gen

go 1.26
