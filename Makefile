# trailwatch — top-level driver. `make` builds (a release build with
# profile-guided optimisation, scripts/pgo.sh; PGO=0 for a plain one), `make
# test` builds (ASan+UBSan, -Werror) and runs every test, `make demo` runs the
# main job on the bundled sample. Every target first makes sure the Debian
# build dependencies exist.
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
BUILD   ?= build
ASAN    ?= build-asan
FUZZ_SECONDS ?= 60
PGO     ?= 1

.PHONY: all deps test valgrind fuzz fuzz-build demo bench clean

all: deps
	PGO=$(PGO) bash scripts/pgo.sh $(BUILD) $(JOBS)

deps:
	@bash scripts/deps.sh

test: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DTW_SANITIZE=ON -DTW_WERROR=ON >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS)

# The test suite under valgrind (a plain -O1 -g build, no sanitizers).
valgrind: deps
	cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTW_WERROR=ON >/dev/null
	cmake --build build-vg -j $(JOBS)
	bash scripts/valgrind-suite.sh build-vg

# libFuzzer targets (clang); `make fuzz` runs each for FUZZ_SECONDS.
fuzz-build: deps
	bash scripts/fuzz.sh build

fuzz: fuzz-build
	bash scripts/fuzz.sh run $(FUZZ_SECONDS)

# Benchmarks against the peers (bench/run.sh); BENCH_SIZE_MB picks the data size.
bench: all
	bash scripts/deps-bench.sh
	bash bench/run.sh

demo: all
	bash scripts/demo.sh $(BUILD)/trailwatch

clean:
	rm -rf $(BUILD) $(BUILD)-pgo $(ASAN) build-vg build-fuzz
