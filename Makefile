# cmhub — every check the project has runs from `make test`.
#   make test    vet + lint + Go tests (-race, SQLite and PostgreSQL) + UI build freshness + UI unit tests + browser tests
#   make demo    the demo server on :8080 (no database server, no Node)
#   make ui      rebuild the embedded UI (internal/web/dist) from web/
#   make bench   Go benchmarks

GO            ?= go
LINT_VERSION  ?= v2.15.0
BIN           := $(CURDIR)/bin
export CMHUB_TEST_PG ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: test vet lint gotest postgres chromium ui ui-check ui-test e2e demo build bench FORCE

test: vet lint gotest ui-check ui-test e2e
	@echo "make test: all checks passed"

vet:
	@unformatted=$$(gofmt -l cmd internal presets); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# The linter is built once per machine and version (outside the clone, so a
# fresh clone on the same machine reuses it).
LINT := $(shell $(GO) env GOPATH)/bin/golangci-lint-$(LINT_VERSION)

$(LINT):
	@mkdir -p $(dir $(LINT))
	tmp=$$(mktemp -d) && GOBIN=$$tmp $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(LINT_VERSION) && mv $$tmp/golangci-lint $(LINT) && rmdir $$tmp

lint: $(LINT)
	$(LINT) run ./...

postgres:
	@scripts/ensure-postgres.sh

gotest: postgres
	$(GO) test -race -count=1 -timeout 40m ./...

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

ui: web/node_modules/.package-lock.json
	cd web && npm run build

# The committed build must be what the sources produce.
ui-check: ui
	@if [ -n "$$(git status --porcelain -- internal/web/dist)" ]; then \
		echo "internal/web/dist is stale: run 'make ui' and commit the result"; git status --short -- internal/web/dist | head; exit 1; fi

ui-test: web/node_modules/.package-lock.json
	cd web && npm run test:unit

chromium:
	@scripts/ensure-chromium.sh

build: FORCE
	$(GO) build -o $(BIN)/cmhub ./cmd/cmhub

e2e: web/node_modules/.package-lock.json chromium build
	@if [ -x /usr/bin/chromium ]; then cd web && CMHUB_BIN=$(BIN)/cmhub npm run test:e2e; \
	else echo "SKIPPED browser tests: no Chromium (outside CI only)"; fi

demo:
	$(GO) run ./cmd/cmhub serve --demo

bench: postgres
	$(GO) test -run '^$$' -bench . -benchmem ./...

FORCE:
