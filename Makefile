# The two commands of the README, and a few more for developers.
# Everything is built by CMake under build/ (build-asan/ for sanitizers,
# build-fuzz/ for libFuzzer targets).
JOBS ?= $(shell nproc)
BUILD ?= build
SHARED_DATA ?= $(abspath ../shared/data)

.PHONY: all deps build demo test test-fast test-asan fuzz fuzz-smoke bench clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# Installs what is missing, builds, and screens sample queries against the
# built-in demo list (and the real lists under ../shared/data when present).
demo: build
	@bash scripts/demo.sh $(BUILD)/src/cli/shinsa "$(SHARED_DATA)"

# Every test: the suite, then the same suite under ASan+UBSan, then a short
# run of each fuzz target over its seed corpus.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz-smoke

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSHN_SANITIZE=ON -DSHN_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHN_FUZZ=ON -DSHN_BUILD_TESTS=OFF -DSHN_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

fuzz-smoke: fuzz
	@bash scripts/fuzz-smoke.sh build-fuzz

bench: build
	@bash scripts/bench.sh $(BUILD) "$(SHARED_DATA)"

clean:
	rm -rf build build-asan build-fuzz
