module example.com/distributed-task-queue

go 1.26
