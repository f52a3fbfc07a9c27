# wlk — plain Makefile. `make run` and `make test` install what is missing.
PKGS     := libh2o-evloop jansson libsodium sqlite3 libpq libcurl libexif libnats
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wvla -fno-common
BASE     := -std=gnu17 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -Isrc -MMD -MP $(WARN)
RELEASE  := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SANITIZE := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
PYTHON   := /usr/bin/python3

B        ?= build
MODE     ?= release
ifeq ($(MODE),asan)
  OPT := $(SANITIZE)
  LDOPT := -fsanitize=address,undefined
else ifeq ($(MODE),fuzz)
  OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
  LDOPT := -fsanitize=fuzzer,address,undefined
else
  OPT := $(RELEASE)
  LDOPT :=
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lwslay -lssl -lcrypto -lpthread -lm
CFLAGS_ALL = $(BASE) $(OPT) $(PKG_CFLAGS) $(CFLAGS)

SRC      := $(wildcard src/*/*.c)
OBJ      := $(SRC:%.c=$(B)/%.o) $(B)/gen/embedded.o $(B)/gen/web.o
EMBEDDED := $(wildcard src/db/migrations/*.sql) src/privacy/text/policy.zh.txt docs/openapi.yaml
WEB_SRC  := $(shell find web -type f -not -name '.*')
VENDOR   := build/vendor/.stamp
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all run test deps-test unit e2e fuzz fuzz-regress bench cluster deps format format-check docs clean
all: $(B)/wlk

$(B)/wlk: $(OBJ) $(B)/src/main.o
	$(CC) $(LDOPT) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/gen/embedded.c: $(EMBEDDED) scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh $@

$(B)/gen/embedded.o: $(B)/gen/embedded.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The web client: web/ plus the pinned npm packages (scripts/vendor.sh),
# with hashed names and gzip/brotli variants made once by a build tool.
build/tools/webembed: scripts/webembed.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -O2 -D_GNU_SOURCE $(WARN) -o $@ $< \
	  $$(pkg-config --cflags --libs libsodium zlib libbrotlienc)

$(VENDOR): scripts/vendor.sh
	scripts/vendor.sh

$(B)/gen/web.c: $(WEB_SRC) build/tools/webembed $(VENDOR)
	@mkdir -p $(dir $@)
	build/tools/webembed web build/vendor/web $@

$(B)/gen/web.o: $(B)/gen/web.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $^ $(PKG_LIBS) -lcmocka $(LDOPT) $(LDFLAGS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(LDOPT) $(LDFLAGS)

deps:
	@scripts/deps.sh --check 2>/dev/null || scripts/deps.sh

deps-test:
	@scripts/deps.sh --check --test 2>/dev/null || scripts/deps.sh --test

run: deps
	$(MAKE) $(B)/wlk
	$(B)/wlk developments import demo/developments.jsonl --if-empty --data-dir ./var
	$(B)/wlk serve --data-dir ./var

# Everything: release build (warnings as errors), then unit and black-box
# tests against the AddressSanitizer + UBSan build, the black-box suite on
# both engines at once (SQLite, and PostgreSQL 15 in a throwaway cluster
# the harness starts: scripts/e2e-both.sh), then the format check.
test: deps-test
	$(MAKE) build/wlk
	$(MAKE) MODE=asan B=build/asan build/asan/wlk unit
	scripts/e2e-both.sh build/asan/wlk
	$(MAKE) fuzz-regress
	$(MAKE) format-check

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

WLK_BIN ?= build/wlk
ENGINE  ?= sqlite
E2E_ARGS ?=
e2e:
	@echo "== black-box tests on $(ENGINE)"
	WLK_TEST_ENGINE=$(ENGINE) WLK_BIN=$(abspath $(WLK_BIN)) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	  $(PYTHON) -m pytest -q -p no:cacheprovider --basetemp=$(abspath build/e2e-tmp-$(ENGINE)) $(E2E_ARGS) tests/e2e

# libFuzzer targets (clang): `make fuzz` explores for FUZZ_SECONDS each and
# adds what it finds to a scratch corpus; `fuzz-regress` replays the
# committed corpus (part of `make test`).
fuzz: deps-test
	$(MAKE) MODE=fuzz B=build/fuzz CC=clang $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_BIN); do n=$${t#build/fuzz/fuzz_}; mkdir -p build/fuzz/work/$$n; \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/work/$$n tests/fuzz/corpus/$$n; done

fuzz-regress: deps-test
	$(MAKE) MODE=fuzz B=build/fuzz CC=clang $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_BIN); do n=$${t#build/fuzz/fuzz_}; \
	  $$t -runs=0 tests/fuzz/corpus/$$n/* 2>&1 | tail -1; done

# A local cluster: PostgreSQL, nats-server, two nodes, nginx in front
# (scripts/cluster.sh; Ctrl-C stops it all).
cluster: deps-test
	$(MAKE) build/wlk
	scripts/cluster.sh

bench: deps
	$(MAKE) build/wlk
	bench/http.sh

docs: $(B)/wlk
	$(B)/wlk errors > docs/ERRORS.md

FORMAT_FILES = $(shell find src tests/unit tests/fuzz scripts -name '*.[ch]')
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(B)/src/main.d
