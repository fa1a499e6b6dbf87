# gametable — run `make help` for the targets.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

GO      ?= go
BIN     := bin/gametable
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
FUZZTIME ?= 30s
# make test's fuzz run counts executions, not seconds: with a duration,
# Go 1.26's fuzz coordinator can fail a healthy target with "context
# deadline exceeded" at the deadline on a busy machine (go.dev/issue/75804,
# fixed in Go 1.27).
FUZZTIME_SMOKE ?= 10000x

.PHONY: help
help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: deps
deps: ## install what is missing: PostgreSQL 15+, pgvector, Go modules
	@./scripts/deps.sh

.PHONY: build
build: ## build bin/gametable
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/gametable

.PHONY: run
run: deps build ## start the server on its own PostgreSQL, with the demo campaign
	./$(BIN) serve --seed

.PHONY: generate
generate: ## regenerate the sqlc code in db/
	$(GO) tool sqlc generate

.PHONY: lint
lint: ## gofmt, go vet, go.mod tidy, sqlc diff (generated code is current), sqlc vet against a migrated database
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt: not formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) tool sqlc diff
	@# sqlc vet prepares every query against a fresh migrated database that
	@# db/dbtest starts (TestSQLCVet); no set-up by hand.
	$(GO) test -count=1 -run '^TestSQLCVet$$' ./db/

.PHONY: test
test: deps lint ## the whole test suite with the race detector, against a PostgreSQL the tests start, then a short fuzz run
	$(GO) test -race -count=1 -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz-smoke

# fuzz_targets lists "package-dir FuzzName" for every fuzz test in the tree.
fuzz_targets = grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do \
		for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$f"); do echo "$$(dirname "$$f") $$fn"; done; \
	done

.PHONY: fuzz
fuzz: ## run each fuzz test for FUZZTIME (default 30s); crashers land in testdata/fuzz/
	@$(fuzz_targets) | while read -r dir fn; do \
		echo "fuzz $$dir $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) "$$dir" || exit 1; \
	done

.PHONY: fuzz-smoke
fuzz-smoke: ## run each fuzz test briefly (FUZZTIME_SMOKE, default 10000 executions), as make test does
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_SMOKE)

.PHONY: db-up
db-up: deps build ## run the local development PostgreSQL in the foreground, migrated, and print its URL
	./$(BIN) db up

.PHONY: db-reset
db-reset: deps build ## drop and recreate the local development database, migrated (for sqlc vet)
	./$(BIN) db reset

.PHONY: clean
clean: ## remove build output (not the data directory)
	rm -rf bin
