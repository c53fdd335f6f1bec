module example.com/realtime-chat-server

go 1.26
