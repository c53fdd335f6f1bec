module example.com/concurrent-web-scraper

go 1.26
/* block */
