module "example.com/concurrent-web-scraper" // quoted

go 1.24

toolchain go1.26.1

godebug (
	default=go1.21
	panicnil=1
)

require `golang.org/x/sync` v0.25.0

replace golang.org/x/net => ./third_party/net

replace (
	example.com/other v1.0.0 => example.com/fork v1.0.1
	example.com/local => ../outside
)

exclude golang.org/x/sync v0.1.0

retract [v1.0.0, v1.1.0] // broken
retract v0.9.0

tool golang.org/x/tools/cmd/stringer

ignore ./node_modules
