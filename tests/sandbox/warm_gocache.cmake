# Fills CACHE_DIR (a GOCACHE) by building, vetting and testing the racy
# fixture on the host, plain and with -race, plus runtime/cgo, then writes
# STAMP. Vet and the race test fail by design (the fixture has a vet finding
# and a data race); only a failing build is an error.
set(ENV{GOCACHE} ${CACHE_DIR})
set(ENV{GOPATH} ${GOPATH_DIR})
set(ENV{GOMODCACHE} ${GOPATH_DIR}/pkg/mod)
set(ENV{GOFLAGS} -mod=mod)
set(ENV{GOTOOLCHAIN} local)
set(ENV{GOPROXY} off)
set(ENV{GOTELEMETRY} off)
set(ENV{GOENV} off)
set(ENV{GOWORK} off)
set(ENV{CGO_ENABLED} 1)

function(go_step must_succeed)
  execute_process(COMMAND ${GO_EXECUTABLE} ${ARGN}
                  WORKING_DIRECTORY ${FIXTURE_DIR}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(must_succeed AND NOT rc EQUAL 0)
    message(FATAL_ERROR "go ${ARGN} failed (${rc}): ${err}")
  endif()
endfunction()

go_step(TRUE build ./...)
go_step(TRUE build runtime/cgo)
go_step(FALSE vet ./...)
go_step(FALSE vet -json ./...)
go_step(TRUE test -count=1 ./...)
go_step(FALSE test -json -count=1 ./...)
go_step(FALSE test -race -count=1 ./...)
set(ENV{CGO_ENABLED} 0)
go_step(TRUE build ./...)
go_step(FALSE vet ./...)
go_step(FALSE test -count=1 ./...)
go_step(FALSE test -json -count=1 ./...)
file(TOUCH ${STAMP})
