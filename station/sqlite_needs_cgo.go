//go:build !cgo

package station

// The station keeps its data in SQLite through github.com/mattn/go-sqlite3,
// a cgo package: without cgo it is a stub and this package does not build.
// Build with CGO_ENABLED=1 and a C compiler; for Windows from Linux, `make
// windows` (CC=x86_64-w64-mingw32-gcc, Debian's gcc-mingw-w64-x86-64).
const _ = station_needs_cgo__build_with_CGO_ENABLED_1_and_a_C_compiler__for_Windows_run_make_windows
