# XVB Companion — the two commands: `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo

.PHONY: run test check fuzz soak lint bench bench-desktop deps-run deps-test ui ui-test tools package package-deb windows test-windows lint-windows deps-windows

## Build and start the desktop app (xvb-companion) on the default data dir.
run: deps-run ui
	$(CARGO) run --release -p xvb-companion

## Install what is missing, then formatting, lints and every test (the .deb is built
## first: a test installs it with apt-get and follows tel: links into the installed app),
## then the Windows leg: lints for Windows, the headless suite against xvb.exe under
## Wine, and the installer.
test: deps-test ui lint ui-test tools package-deb
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace
	$(MAKE) test-windows

## Windows (x86_64-pc-windows-gnu), cross-built on Debian: xvb.exe, xvb-companion.exe
## and the per-user installer target/windows/XVB-Companion-<version>-x64-setup.exe.
windows: deps-windows ui
	scripts/windows/build.sh

## clippy for Windows (every crate but the Linux-side test harness), so Windows-only
## code cannot rot.
lint-windows: deps-windows ui
	source scripts/windows/env.sh && "$${WIN_CARGO[@]}" clippy "$${WIN_BUILD_STD[@]}" \
	  --workspace --exclude xvb-e2e --all-targets -- -D warnings

## The Windows leg of `make test`: lints, then the headless end-to-end suite against
## xvb.exe under Wine and the installer installed and removed in a fresh Wine prefix.
test-windows: lint-windows windows
	scripts/windows/test.sh

## The inner loop (a few minutes warm): formatting, lints, the UI's checks, and
## the unit and in-process tests (no end-to-end processes, no .deb).
check: deps-test ui lint ui-test
	$(CARGO) test --workspace --lib --bins

TAURI := ui/node_modules/.bin/tauri

## Installable bundles: target/release/bundle/deb/*.deb and appimage/*.AppImage.
## (The AppImage step downloads linuxdeploy from GitHub the first time.)
package: deps-test ui
	$(CARGO) build --release -p xvb-cli
	$(TAURI) build --bundles deb,appimage

## The .deb only (no download needed); it carries the `xvb` command as /usr/bin/xvb.
package-deb: deps-test ui
	$(CARGO) build --release -p xvb-cli
	$(TAURI) build --bundles deb

## Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of the request parser, the
## call merge, contact import and the agent's WebSocket messages, FUZZ_SECONDS each (RELIABILITY.md); a crash
## stops it and is kept in fuzz/artifacts/; fuzz/seeds/TARGET/ holds valid inputs to start from.
## The fuzz crate is outside the workspace.
FUZZ_SECONDS ?= 60
## (merge inputs are capped at 256 bytes — a call's events fit, and longer ones
## ran 10× slower for no new coverage.)
fuzz: target/tools/bin/cargo-fuzz
	cd fuzz && for t in request merge import agent; do \
	  if [ $$t = merge ]; then len=256; else len=4096; fi; \
	  mkdir -p corpus/$$t; seeds=$$( [ -d seeds/$$t ] && echo seeds/$$t ); \
	  PATH="$(CURDIR)/target/tools/bin:$$PATH" RUSTC_BOOTSTRAP=1 cargo fuzz run -s none $$t corpus/$$t $$seeds -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=$$len -print_final_stats=1 || exit 1; done
target/tools/bin/cargo-fuzz:
	$(CARGO) install cargo-fuzz --version '^0.13' --locked --root target/tools

## A million webhook requests through a release `xvb serve`: memory and file
## descriptors as it goes (RELIABILITY.md). SOAK_REQUESTS=N for fewer.
soak:
	scripts/install-deps.sh test
	$(CARGO) build --release -p xvb-cli --bin xvb
	$(CARGO) bench -p xvb-e2e --bench soak

## tauri-driver (WebDriver for the app), kept inside target/.
tools: target/tools/bin/tauri-driver
target/tools/bin/tauri-driver:
	$(CARGO) install tauri-driver --version '^2' --locked --root target/tools

## The web UI (ui/dist), built with the locked npm packages.
ui: ui/node_modules/.package-lock.json
	cd ui && npm run build

ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	# npm install, not npm ci: with omit-lockfile-registry-resolved (set on these machines) npm ci
	# rejects the lock for the platform packages it leaves out; install still keeps the locked versions.
	cd ui && npm install --no-audit --no-fund

ui-test: ui
	cd ui && npm run check && npm test

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Loopback benchmarks (figures in BENCHMARKS.md): listener, G.722, team relay, relay cluster, team view,
## notes against the PBX (XVB_BEFORE=an older xvb adds it as the baseline).
bench:
	scripts/install-deps.sh test
	$(CARGO) build --release -p xvb-cli --bin xvb
	$(CARGO) bench -p xvb-e2e --bench loopback
	$(CARGO) bench -p xvb-e2e --bench g722
	$(CARGO) bench -p xvb-e2e --bench relay
	$(CARGO) bench -p xvb-e2e --bench relay_cluster
	$(CARGO) bench -p xvb-e2e --bench team
	$(CARGO) bench -p xvb-e2e --bench reports
	$(CARGO) bench -p xvb-e2e --bench sources
	$(CARGO) bench -p xvb-e2e --bench note_flood

## Desktop app figures (release build, Xvfb): start-up, memory, webhook-to-pop latency,
## recordings player click-to-first-sound, the Reports tab's memory.
bench-desktop: ui tools
	scripts/install-deps.sh test
	$(CARGO) build --release -p xvb-companion -p xvb-cli
	$(CARGO) bench -p xvb-e2e --bench desktop
	$(CARGO) bench -p xvb-e2e --bench player
	$(CARGO) bench -p xvb-e2e --bench reports_tab

deps-run:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

deps-windows:
	scripts/install-deps.sh windows
