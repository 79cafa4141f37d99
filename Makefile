SHELL := /bin/bash
# tokenaudit: `make run` builds the distribution and runs it on config.yaml;
# `make test` is what CI runs.
GO       ?= go
BUILDER  := go.opentelemetry.io/collector/cmd/builder@v0.162.0
OTELCOL  := dist/otelcol-tokenaudit
# staticcheck and gci from tools/, resolved only when lint runs.
STATICCHECK = $(shell $(GO) -C tools tool -n staticcheck)
GCI         = $(shell $(GO) -C tools tool -n gci)
# Import groups, in this order: standard library, third party, this module.
GCI_SECTIONS = -s standard -s default -s 'prefix(github.com/tokenaudit/tokenaudit)'

GOFILES  := $(shell find . -name '*.go' -not -path './dist/*' -not -path './bench/*' 2>/dev/null)
FUZZTIME ?= 60s

.PHONY: all build test unit integration sdk-clients promtool-test crash attack soak quality quality-stale quality-clean outside-eval blind4 blind5 blind6 blind7 blind8 blind9 blind10 blind11 update-asn update-country generate lint imports bench bench-contrib bench-e2e fuzz otelcol tools run demo clean

all: build

build:
	$(GO) build ./...

## test: lint, unit tests with fuzz seed corpora, then the built distribution end to end.
test: lint unit integration promtool-test

# The integration package needs the built distribution: `integration` runs it.
UNIT_PKGS = $(shell $(GO) list ./... | grep -v /integration$$)

unit:
	$(GO) test -count=1 $(UNIT_PKGS)
	$(GO) test -count=1 -race -short -timeout 20m ./processor/... ./exporter/... ./connector/... ./internal/...

# What the integration tests run: the distribution and the tools beside it.
INTEGRATION_ENV = OTELCOL_BIN=$(abspath $(OTELCOL)) AUDITCTL_BIN=$(abspath dist/auditctl) LOADGEN_BIN=$(abspath dist/loadgen)

integration: $(OTELCOL) tools
	$(INTEGRATION_ENV) $(GO) test -count=1 -v ./integration/

## sdk-clients: TestIntegrationSDKJS alone (make integration runs it too): a
## Node.js service instrumented with the real OpenTelemetry JS SDK
## (integration/testdata/sdkjs) against config.yaml; needs node and npm.
sdk-clients: $(OTELCOL) tools
	$(INTEGRATION_ENV) $(GO) test -count=1 -v -run '^TestIntegrationSDKJS$$' ./integration/

## crash: TestIntegrationCrashCycles with 50 kill -9 cycles (make test runs 4).
crash: $(OTELCOL) tools
	TOKENAUDIT_CRASH_CYCLES=50 $(INTEGRATION_ENV) $(GO) test -count=1 -timeout 60m -v -run TestIntegrationCrashCycles ./integration/

## promtool-test: the Prometheus alerting rules against their unit tests
## (promtool from Debian's prometheus package; .ci/run installs it).
promtool-test:
	promtool check rules docs/prometheus/rules.yaml
	promtool test rules docs/prometheus/rules_test.yaml

## attack: TestIntegrationCardinalityAttack with 5,000,000 spans of distinct random
## tokens through the whole pipeline (make test sends 300,000).
attack: $(OTELCOL) tools
	TOKENAUDIT_ATTACK_SPANS=5000000 $(INTEGRATION_ENV) $(GO) test -count=1 -timeout 30m -v -run TestIntegrationCardinalityAttack ./integration/

## soak: config.yaml at half its measured capacity for 30 minutes; resident
## memory and goroutines must stay flat (TOKENAUDIT_SOAK sets the length).
SOAK ?= 30m
soak: $(OTELCOL) tools
	TOKENAUDIT_SOAK=$(SOAK) $(INTEGRATION_ENV) $(GO) test -count=1 -timeout 90m -v -run TestIntegrationSoak ./integration/

## quality: detection quality on independent traffic (internal/fieldsim): 10,000
## clean tokens for 7 days and 10 injections of each finding type through
## token_audit -> token_anomaly at their defaults; the table goes to dist/quality.md.
## QUALITY_SEED picks the traffic; TOKENAUDIT_QUALITY_ENFORCE=1 fails on a missed target.
QUALITY_SEED ?= 1
quality:
	@mkdir -p dist
	TOKENAUDIT_QUALITY_FULL=1 TOKENAUDIT_QUALITY_SEED=$(QUALITY_SEED) TOKENAUDIT_QUALITY_REPORT=$(abspath dist/quality.md) \
	  $(GO) test -count=1 -timeout 60m -v -run '^TestFieldQuality$$' ./internal/detectioneval/

## quality-stale: stale_token's false alerts and recall for observation_period 2..7 days
## on the quality traffic (QUALITY_SEED; table in dist/quality-stale.md).
quality-stale:
	@mkdir -p dist
	TOKENAUDIT_STALE_SWEEP=1 TOKENAUDIT_QUALITY_FULL=1 TOKENAUDIT_QUALITY_SEED=$(QUALITY_SEED) TOKENAUDIT_QUALITY_REPORT=$(abspath dist/quality-stale.md) \
	  $(GO) test -count=1 -timeout 60m -v -run '^TestStaleObservationSweep$$' ./internal/detectioneval/

## quality-clean: token_anomaly's false alerts per 1,000 clean token-days on 10,000
## clean tokens for 7 days (connector/tokenanomalyconnector TestCleanPopulationFalseAlerts;
## make test runs it on 1,000 tokens).
quality-clean:
	TOKENAUDIT_CLEAN_TOKENS=10000 $(GO) test -count=1 -timeout 60m -v -run '^TestCleanPopulationFalseAlerts$$' ./connector/tokenanomalyconnector/

## outside-eval: an outside evaluator's blind labelled traffic (bench/outside-eval, its
## own module) through the built distribution over OTLP/HTTP, scored from the audit log:
## the main run, user JWTs re-issued hourly, and gateway spans with X-Forwarded-For but
## no client.address; runs in dist/outside-eval/ (docs/quality.md, "An outside evaluation").
OUTSIDE_EVAL_PORT ?= 14718
outside-eval: $(OTELCOL) tools
	@mkdir -p dist/outside-eval
	$(GO) -C bench/outside-eval build -o $(abspath dist/outside-eval/blindgen) .
	@port=$(OUTSIDE_EVAL_PORT); \
	used() { for p in $$(($$1-1)) $$1 $$(($$1+4571)); do (exec 3<>/dev/tcp/127.0.0.1/$$p) 2>/dev/null && return 0; done; return 1; }; \
	for v in "main" "userlife -userlife 1h" "xffonly -xffonly"; do \
	  set -- $$v; name=$$1; shift; \
	  while used $$port; do port=$$((port+10)); done; \
	  echo "== outside-eval $$name (port $$port, dist/outside-eval/$$name)"; \
	  PORT=$$port bench/outside-eval/run.sh $(abspath dist/outside-eval)/$$name "$$@" || exit 1; \
	  port=$$((port+10)); \
	done

## blind4: the fourth outside evaluation (a logistics SaaS over two weeks with a quarter
## end, 225 labels of 24 types; docs/quality.md, "A fourth outside evaluation"): python3,
## about 3 minutes; the score in dist/blind4/score.txt.
BLIND4_PORT ?= 15317
blind4: $(OTELCOL) tools
	REPO=$(CURDIR) RUNDIR=$(abspath dist/blind4) SCORE=score.txt BASEPORT=$(BLIND4_PORT) bench/blind4/run.sh

## blind5: the fifth outside evaluation (a multi-region fintech and health API platform over
## two weeks with a month end, 164 labels of 24 types; bench/blind5/README.md): python3,
## about 3 minutes; the score in dist/blind5/score.md.
BLIND5_PORT ?= 20317
blind5: $(OTELCOL) tools
	REPO=$(CURDIR) RUNDIR=$(abspath dist/blind5) BASEPORT=$(BLIND5_PORT) bench/blind5/run.sh

## blind6: the sixth outside evaluation (an IoT fleet and developer platform over nine days with a
## release and a month end, 149 labels of 24 types; bench/blind6/README.md): python3, about 12
## minutes and 3 GB in dist/blind6; the score in dist/blind6/run/score.txt.
BLIND6_PORT ?= 22700
blind6: $(OTELCOL) tools
	@rm -rf dist/blind6/run
	WORLD=$(abspath dist/blind6/world) bench/blind6/run.sh $(abspath dist) $(BLIND6_PORT) $(abspath dist/blind6/run)

## blind7: the seventh outside evaluation (a B2B payments platform over nine days with a
## launch and a 5xx storm, 133 labels of 23 types; bench/blind7/README.md): python3, about 6
## minutes (3 once the world exists) and 2.3 GB in dist/blind7; the score in dist/blind7/run/score.txt.
BLIND7_PORT ?= 23300
blind7: $(OTELCOL) tools
	@rm -rf dist/blind7/run
	WORLD=$(abspath dist/blind7/world) bench/blind7/run.sh $(abspath dist) $(BLIND7_PORT) $(abspath dist/blind7/run)

## blind8: the eighth outside evaluation (a FHIR API SaaS over nine days with on-call and
## night-shift clinicians, 108 labels of 23 types; bench/blind8/README.md): python3, about 15
## minutes (4 once the world exists); BLIND8_SEED 8 or 9; the score in dist/blind8/run/score.txt.
BLIND8_PORT ?= 23400
BLIND8_SEED ?= 8
blind8: $(OTELCOL) tools
	@rm -rf dist/blind8/run
	WORLD=$(abspath dist/blind8/world.seed$(BLIND8_SEED)) bench/blind8/run.sh $(abspath dist) $(BLIND8_PORT) $(abspath dist/blind8/run) $(BLIND8_SEED)

## blind9: the ninth outside evaluation (a payments and open-banking API platform over ten days
## across the EU's clock change, with aggregators polling on hourly JWTs and a sales day, 107
## labels of 24 types; bench/blind9/README.md): python3, about 4 minutes; BLIND9_SEED 9 or 11;
## the score in dist/blind9/run/score.txt.
BLIND9_PORT ?= 23410
BLIND9_SEED ?= 9
blind9: $(OTELCOL) tools
	@rm -rf dist/blind9/run
	WORLD=$(abspath dist/blind9/world.seed$(BLIND9_SEED)) bench/blind9/run.sh $(abspath dist) $(BLIND9_PORT) $(abspath dist/blind9/run) $(BLIND9_SEED)

## blind10: the tenth outside evaluation (a managed Kubernetes control plane over nine days: hourly
## service-account JWTs of customer clusters and controllers, kubectl users in five time zones with
## on-call weeks, CI on federated tokens, a registry behind nginx, an incident and a release day; 130
## labels of 24 types; bench/blind10/README.md): python3, about 4 minutes; BLIND10_SEED 21 or 22;
## the score in dist/blind10/run/score.txt.
BLIND10_PORT ?= 23420
BLIND10_SEED ?= 21
blind10: $(OTELCOL) tools
	@rm -rf dist/blind10/run
	WORLD=$(abspath dist/blind10/world.seed$(BLIND10_SEED)) bench/blind10/run.sh $(abspath dist) $(BLIND10_PORT) $(abspath dist/blind10/run) $(BLIND10_SEED)

## blind11: the eleventh outside evaluation (an online-education platform over nine days: students
## on hourly JWTs in five time zones, teachers, LTI tool integrations, district sync keys, an exam
## day and an incident behind a gateway; 105 labels of 24 types; bench/blind11/README.md): python3,
## about 5 minutes; BLIND11_SEED 1 or 2; the score in dist/blind11/run/score.txt.
BLIND11_PORT ?= 23430
BLIND11_SEED ?= 1
blind11: $(OTELCOL) tools
	@rm -rf dist/blind11/run
	WORLD=$(abspath dist/blind11/world.seed$(BLIND11_SEED)) bench/blind11/run.sh $(abspath dist) $(BLIND11_PORT) $(abspath dist/blind11/run) $(BLIND11_SEED)

## update-asn: replace the vendored IP-to-AS table with the newest @ip-location-db/asn
## (needs npm); change the version in third_party/ip-location-db-asn/README.md.
update-asn:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent @ip-location-db/asn >/dev/null && tar xzf *.tgz && \
	  cd $(CURDIR) && $(GO) run ./internal/ipasn/mkipasn -in $$tmp/package -out third_party/ip-location-db-asn/asn.bin.gz && \
	  for f in DBIP-LICENSE ROUTEVIEWS-LICENSE NRO_LICENSE MODIFICATIONS; do cp $$tmp/package/$$f third_party/ip-location-db-asn/; done && \
	  grep '"version"' $$tmp/package/package.json; rm -rf $$tmp

## update-country: replace the vendored IP-to-country table with the newest
## @ip-location-db/geo-whois-asn-country (needs npm); change the version in its README.
update-country:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent @ip-location-db/geo-whois-asn-country >/dev/null && tar xzf *.tgz && \
	  cd $(CURDIR) && $(GO) run ./internal/ipasn/mkipasn -country -in $$tmp/package -out third_party/ip-location-db-country/country.bin.gz && \
	  cp $$tmp/package/NRO_LICENSE third_party/ip-location-db-country/ && cp $$tmp/package/README.md third_party/ip-location-db-country/UPSTREAM-README.md && \
	  grep '"version"' $$tmp/package/package.json; rm -rf $$tmp

generate:
	$(GO) generate ./...

## lint: gofmt; imports grouped standard, third party, local; go.mod tidy;
## no path outside the repository; go vet; staticcheck.
lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@out=$$($(GCI) list $(GCI_SECTIONS) --skip-generated $(GOFILES)); if [ -n "$$out" ]; then \
	  echo "imports not grouped as standard, third party, this module (make imports fixes them):"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum not tidy: run go mod tidy"; exit 1; }
	@$(GO) -C tools mod tidy -diff || { echo "tools/go.mod not tidy: run go -C tools mod tidy"; exit 1; }
	$(GO) run ./scripts/checkpaths
	$(GO) vet ./...
	$(STATICCHECK) ./...

## imports: group every file's imports as lint wants them.
imports:
	$(GCI) write $(GCI_SECTIONS) --skip-generated $(GOFILES)

otelcol: $(OTELCOL)

$(OTELCOL): builder-config.yaml go.mod go.sum $(GOFILES)
	$(GO) run $(BUILDER) --config builder-config.yaml

run: $(OTELCOL)
	@mkdir -p data
	./$(OTELCOL) --config config.yaml

## tools: auditctl and the load generator, beside the distribution.
tools: dist/auditctl dist/loadgen

dist/auditctl: $(GOFILES) go.mod go.sum
	$(GO) build -o dist/auditctl ./cmd/auditctl

dist/loadgen: $(GOFILES) go.mod go.sum
	$(GO) build -o dist/loadgen ./cmd/loadgen

## demo: about a minute of misuse traffic against `make run` (or a collector
## it starts), each alert as it is recorded, then the audit trail verified.
demo: $(OTELCOL) tools
	./scripts/demo.sh

## bench: the processor's benchmarks (figures in the README).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./processor/... ./internal/...

## bench-contrib: tokenaudit against the stock contrib pipeline baseline.
bench-contrib:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -count 5 .

## bench-e2e: the built distribution over OTLP gRPC against the floor and the
## stock-contrib pipeline (docs/BENCHMARKS.md); BENCH_DURATION per pipeline.
CONTRIB_BASELINE := bench/e2e/dist/otelcol-contrib-baseline

bench-e2e: $(OTELCOL) tools $(CONTRIB_BASELINE)
	./scripts/bench-e2e.sh

$(CONTRIB_BASELINE): bench/e2e/builder-contrib.yaml
	$(GO) run $(BUILDER) --config bench/e2e/builder-contrib.yaml

## fuzz: each fuzz target for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list 'Fuzz.*' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; done

clean:
	rm -rf dist
