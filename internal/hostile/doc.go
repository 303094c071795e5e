// Package hostile holds Ward's hostile-input suite: the attacks of issue 10
// run against the real binaries — `ward` for the command line, `ward serve`
// on SQLite for the server — each with a bound on time and memory it
// asserts, while a monitor checks that the server keeps answering /healthz
// within 100 ms and stays under 1 GB of resident memory throughout.
//
// It is not part of `go test ./...` (it builds binaries and takes minutes
// of CPU); CI runs it with
//
//	go test -tags hostile ./internal/hostile/
//
// and prints the table of cases, bounds and measurements (set
// WARD_HOSTILE_TABLE=file to also write it to a file).
package hostile
