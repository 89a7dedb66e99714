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

.PHONY: all build test vet fmt-check fuzz bench run clean deb installer dist

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

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m $(PKGS)

run: build
	@scripts/run

# The Linux hub's package (packaging/linux, scripts/build-deb):
# dist/fieldsync-hub_$(VERSION as Debian spells it)_amd64.deb.
deb:
	VERSION=$(VERSION) GO=$(GO) scripts/build-deb dist

# Placeholder until the Windows build lands: it adds the real target, which
# writes dist/fieldsync-station-$(VERSION)-setup.exe.
installer:
	@echo "installer: added by the Windows build"

# Everything a release ships, in dist/: the Linux package, the Windows
# installer, and SHA256SUMS of every file there (`make clean dist` for a
# release, so that nothing older is listed).
dist: deb installer
	cd dist && rm -f SHA256SUMS && sha256sum -- * > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	@cat dist/SHA256SUMS

clean:
	rm -rf bin dist
