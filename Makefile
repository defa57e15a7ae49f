# The one test command (README, .ci/run): every module, vet, race detector,
# and a short run of every fuzz target on top of its checked-in seeds.
FUZZTIME ?= 10s
MODULES  := . bench e2e
FUZZ     := ./session:FuzzParseToken ./session:FuzzDecodeRecord ./session:FuzzCSRFToken \
            ./store/boltstore:FuzzDecodeRecord ./internal/clientip:FuzzClientIP ./internal/useragent:FuzzParse

.PHONY: test check vet unit fuzz bench

test: check vet unit fuzz

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

vet:
	@for m in $(MODULES); do echo "go vet ($$m)"; (cd $$m && go vet ./...) || exit 1; done

unit:
	@for m in $(MODULES); do echo "go test -race ($$m)"; (cd $$m && go test -race -count=1 ./...) || exit 1; done

fuzz:
	@for t in $(FUZZ); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		go test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; done

# Comparative benchmarks; see docs/performance.md.
bench:
	cd bench && go test -run='^$$' -bench=. -benchtime=1s -count=5 .
