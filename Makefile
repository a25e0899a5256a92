# XVB Companion — the two commands: `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo

.PHONY: run test lint bench deps-run deps-test

## Run the companion (for now the headless listener, `xvb serve`, on the default data dir).
run: deps-run
	$(CARGO) run --release -p xvb-cli --bin xvb -- serve

## Install what is missing, then formatting, lints and every test.
test: deps-test lint
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Loopback benchmarks (figures in BENCHMARKS.md).
bench:
	scripts/install-deps.sh bench
	$(CARGO) build --release -p xvb-cli --bin xvb
	$(CARGO) bench -p xvb-e2e --bench loopback

deps-run:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test
