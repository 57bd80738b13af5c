# The two commands a new user runs (see README.md): `make serve` and `make test`.
# Both install whatever is missing first (.ci/tools.sh), skipping tools already at these versions.

# ---- Pinned tool versions: the one place they are set. -------------------------------------------
TRUNK_VERSION      := 0.21.14
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly (Trunk.toml repeats it;
# `make check-versions` proves all three agree).
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3}' Cargo.lock)
WASM_PACK_VERSION  := 0.13.1
BINARYEN_VERSION   := 132
PLAYWRIGHT_VERSION := 1.65.1
PORT               ?= 8080

export TRUNK_VERSION WASM_BINDGEN_VERSION WASM_PACK_VERSION BINARYEN_VERSION PLAYWRIGHT_VERSION
# Tools installed by cargo and npm come first on PATH.
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
SHELL := bash

.PHONY: serve test tools tools-serve fetch check-versions build bench profile-page test-native test-wasm test-e2e

## serve: install what is missing, then serve the app on http://127.0.0.1:$(PORT)/
serve: tools-serve
	@if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
	  echo "make serve: port $(PORT) is already taken (is another 'make serve' running?)."; \
	  echo "Stop that process, or pick another port: make serve PORT=8081"; exit 1; fi
	@echo "Serving the Kafka sandbox at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	trunk serve --offline --no-autoreload --port $(PORT)

## test: install what is missing, then the whole suite (native, wasm in headless Chromium, e2e).
test: tools
	@bash .ci/test.sh

## build: the release bundle in dist/ (trunk build --release, with trunk's wasm-opt step: .ci/bundle.sh).
build: tools-serve
	bash .ci/bundle.sh

## bench: every benchmark; writes BENCHMARKS.md.
bench: tools
	@bash .ci/bench.sh

## profile-page: a CPU profile of the page playing (PARTITIONS=600 by default): where a tick's time goes.
# The bundle keeps the wasm's function names (data-keep-debug, no wasm-opt), in dist-profile/.
profile-page: tools
	@mkdir -p target/profile-page
	@sed -e 's|data-wasm-opt="z"|data-wasm-opt="0" data-keep-debug href="../../Cargo.toml"|' -e 's|href="styles/|href="../../styles/|' -e 's|href="assets/|href="../../assets/|' index.html > target/profile-page/index.html
	bash .ci/bundle.sh --dist dist-profile target/profile-page/index.html
	DIST_DIR=$(CURDIR)/dist-profile/ node tests/e2e/profile.mjs

tools: check-versions
	@bash .ci/tools.sh

tools-serve: check-versions
	@WANT_BROWSER=0 bash .ci/tools.sh

check-versions:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "Cargo.lock names no wasm-bindgen version"; exit 1; }
	@grep -q '^wasm_bindgen = "$(WASM_BINDGEN_VERSION)"' Trunk.toml || { \
	  echo "Trunk.toml [tools] wasm_bindgen must be $(WASM_BINDGEN_VERSION), the version in Cargo.lock"; exit 1; }
	@grep -q '^wasm_opt = "version_$(BINARYEN_VERSION)"' Trunk.toml || { \
	  echo "Trunk.toml [tools] wasm_opt must be version_$(BINARYEN_VERSION)"; exit 1; }
	@grep -q '"binaryen": "$(BINARYEN_VERSION).0.0"' package.json && grep -q '"playwright-core": "$(PLAYWRIGHT_VERSION)"' package.json || { \
	  echo "package.json must pin binaryen $(BINARYEN_VERSION).0.0 and playwright-core $(PLAYWRIGHT_VERSION)"; exit 1; }

# Every crate any build needs (native, wasm32, every profile), from Cargo.lock, into this run's cargo
# home: after it, the `--offline` builds (trunk) resolve from what this step fetched, never from an
# earlier run's cache. .ci/tools.sh runs it; `make fetch` on its own refreshes it.
fetch:
	cargo fetch --locked

# The suite's stages one at a time (each assumes `make tools` has run).
test-native:
	cargo test --locked
test-wasm:
	wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver
test-e2e: build
	node tests/e2e/run.mjs
