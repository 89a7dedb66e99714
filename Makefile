# fieldsync — the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
# An execution count, not a duration: with a duration Go 1.26's fuzz
# coordinator can fail a clean run at the deadline (go.dev/issue/75804).
FUZZTIME ?= 50000x
PKGS := ./...
# The build's name (release.Build): the tag and commits since, "-dirty" with
# uncommitted changes; `hub version` and every page's footer show it.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X fieldsync/release.Build=$(VERSION)

.PHONY: all build test vet fmt-check fuzz bench run screens clean deb installer dist windows test-windows windows-in-test

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/ ./cmd/...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# Each fuzz target runs briefly (FUZZTIME); the seed corpora also run in
# every `go test`.
fuzz:
	@scripts/fuzz-all $(FUZZTIME)

test: fmt-check vet
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory windows-in-test

# `make test` also builds the Windows station and its installer and runs
# them under wine (test-windows) when the tools are here; with CI=true they
# must be (.ci/run installs them), and a missing one fails the run.
WINDOWS_TOOLS = $(WINDOWS_CC) makensis wine curl
windows-in-test:
	@missing=""; for t in $(WINDOWS_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -z "$$missing" ] || [ "$$CI" = true ]; then $(MAKE) --no-print-directory test-windows; \
	else echo "make test: the Windows build was not tested (missing:$$missing; apt-get install gcc-mingw-w64-x86-64 nsis wine64 curl)"; fi

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m $(PKGS)

run: build
	@scripts/run

# A screenshot of every page of a demo of its own, into ./screens-YYYYMMDD.
screens: build
	@scripts/screens

# The Linux hub's package (packaging/linux, scripts/build-deb):
# dist/fieldsync-hub_$(VERSION as Debian spells it)_amd64.deb.
deb:
	VERSION=$(VERSION) GO=$(GO) scripts/build-deb dist

# Everything a release ships, in dist/: the Linux package, the Windows
# installer, and SHA256SUMS of every file there (`make clean dist` for a
# release, so that nothing older is listed).
dist: deb installer
	cd dist && rm -f SHA256SUMS && sha256sum -- * > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	@cat dist/SHA256SUMS

clean:
	rm -rf bin dist

# Windows: the station (and hub) cross-compiled with cgo (SQLite) by
# Debian's gcc-mingw-w64-x86-64, linked statically so that the .exe needs
# only Windows's own DLLs. Go 1.26 runs on Windows 10 / Server 2016 or later.
WINDOWS_CC ?= x86_64-w64-mingw32-gcc
WINDOWS_ENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WINDOWS_CC)
WINDOWS_LDFLAGS := $(LDFLAGS) -extldflags=-static

windows:
	@command -v $(WINDOWS_CC) >/dev/null || { echo "make windows: $(WINDOWS_CC) not found: apt-get install gcc-mingw-w64-x86-64"; exit 1; }
	$(WINDOWS_ENV) $(GO) vet ./cmd/... ./station/... ./hub/...
	$(WINDOWS_ENV) $(GO) build -trimpath -ldflags '$(WINDOWS_LDFLAGS)' -o bin/windows/station.exe ./cmd/station
	$(WINDOWS_ENV) $(GO) build -trimpath -ldflags '$(WINDOWS_LDFLAGS)' -o bin/windows/hub.exe ./cmd/hub

# station.exe and its installer under wine64: init, serve, a worker over
# the API, the service, the silent installer and uninstaller, and the
# station's Windows-only tests.
test-windows: installer
	$(WINDOWS_ENV) $(GO) test -c -ldflags=-extldflags=-static -o bin/windows/station.test.exe ./station
	@scripts/test-windows bin/windows/station.exe dist/fieldsync-station-$(VERSION)-setup.exe bin/windows/station.test.exe

# The station's installer, built with Debian's nsis (makensis).
installer: windows
	@command -v makensis >/dev/null || { echo "make installer: makensis not found: apt-get install nsis"; exit 1; }
	@mkdir -p dist
	makensis -V2 -WX -INPUTCHARSET UTF8 -DVERSION=$(VERSION) -DSTATION_EXE=$(CURDIR)/bin/windows/station.exe \
		-DOUTFILE=$(CURDIR)/dist/fieldsync-station-$(VERSION)-setup.exe packaging/windows/station.nsi
