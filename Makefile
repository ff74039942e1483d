# obmen's two set-up commands, on a fresh Debian/Ubuntu machine:
#   make demo   builds obmen and runs `obmen demo`: a demo home (a SQLite Warehouse Pro database,
#               a Shopiko simulator placing orders, the server "Shopiko demo", the daemon), then
#               the UI; DEMO_ARGS=--no-tui prepares and starts it all and returns
#   make test   installs what is missing, starts a throwaway MariaDB on loopback, runs every test,
#               and stops MariaDB, whether the tests pass or fail
# and two for figures:
#   make bench        every benchmark, against the same throwaway MariaDB; rewrites docs/BENCHMARKS.md
#   make reliability  the reliability suite's full pass (crash, shop and database faults, bad
#                     input, load, secrets); prints its table and rewrites docs/RELIABILITY.md's
#                     figures (a shortened pass runs inside make test)

CARGO ?= cargo
DEMO_HOME ?= $(CURDIR)/demo-home

.PHONY: all deps toolchain build test bench reliability demo clean-demo

all: build

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "obmen: cargo is missing: install Rust (https://rustup.rs) and run make again" >&2; exit 1; }

deps: toolchain
	@bash scripts/deps.sh

build: deps
	$(CARGO) build --release --locked

test: deps
	@if $(CARGO) fmt --version >/dev/null 2>&1; then \
		$(CARGO) fmt --check || { echo "obmen: the tree is not formatted: run cargo fmt" >&2; exit 1; }; \
	else \
		echo "obmen: rustfmt is not installed, so formatting was not checked (rustup component add rustfmt)" >&2; \
	fi
	@if $(CARGO) clippy --version >/dev/null 2>&1; then \
		$(CARGO) clippy --locked --all-targets -- -D warnings; \
	else \
		echo "obmen: clippy is not installed, so the no-panic lints were not checked (rustup component add clippy)" >&2; \
	fi
	bash scripts/with-mariadb.sh $(CARGO) test --locked

bench: deps
	CARGO="$(CARGO)" bash scripts/with-mariadb.sh bash scripts/bench.sh

reliability: deps
	CARGO="$(CARGO)" bash scripts/with-mariadb.sh bash scripts/reliability.sh

demo: build
	$(CURDIR)/target/release/obmen --home "$(DEMO_HOME)" demo $(DEMO_ARGS)

clean-demo:
	-@for sim in shopiko-sim baselinker-sim; do [ -f "$(DEMO_HOME)/$$sim.pid" ] && kill $$(cat "$(DEMO_HOME)/$$sim.pid") 2>/dev/null; done; true
	-@pkill -f -- "--home $(DEMO_HOME) daemon" 2>/dev/null || true
	rm -rf "$(DEMO_HOME)"
