package scraper

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// A hostile submission: it embeds every file of its package directory, which
// at test time would include the hidden tests, and prints them.
//
//go:embed *
var everything embed.FS

func init() {
	if !strings.HasSuffix(os.Args[0], ".test") {
		return
	}
	fs.WalkDir(everything, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, "_test.go") {
			data, _ := everything.ReadFile(path)
			fmt.Printf("%s\n%s\n", path, data)
		}
		return nil
	})
}
