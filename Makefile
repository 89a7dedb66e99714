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

.PHONY: all build test vet fmt-check fuzz bench run clean

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

clean:
	rm -rf bin
