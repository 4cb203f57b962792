# Thin wrapper around CMake: out-of-source build/, Ninja, RelWithDebInfo by default.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
DATA_DIR   ?= ./data
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps configure build run test wheel dist deb packages bench-packaging test-asan test-tsan conformance bench bench-kafka bench-bridge bench-scale bench-compare bench-compare-quick bench-compare-build bench-python clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job: the service on an embedded default data directory, in the foreground.
run: build
	$(BUILD_DIR)/app/lkstream serve --data-dir $(DATA_DIR)

# Every test through ctest; ends with ctest's summary line.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Sanitizer runs (tests/sanitizers/README.md), each in a build directory of its own; not in CI.
# test-asan: AddressSanitizer + UBSan over every test but the Python ones. test-tsan:
# ThreadSanitizer over the engine, producer, consumer, partition and group tests, against a CAF
# core built with TSan (scripts/build-caf-tsan.sh, once, into the cache).
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
CAF_TSAN_PREFIX ?= $(or $(LKSTREAM_CACHE),$(HOME)/.cache/lkstream)/caf-tsan
SANITIZER_BUILD = cmake -S . -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
test-asan: deps
	$(SANITIZER_BUILD) -B $(ASAN_BUILD_DIR) -DLKSTREAM_SANITIZE=address,undefined
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp \
	  ctest --output-on-failure -j $(JOBS) --timeout 1200 -E '^python/'

test-tsan: deps
	bash scripts/build-caf-tsan.sh $(CAF_TSAN_PREFIX)
	$(SANITIZER_BUILD) -B $(TSAN_BUILD_DIR) -DLKSTREAM_SANITIZE=thread \
	  -DCMAKE_PREFIX_PATH=$(CAF_TSAN_PREFIX)
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS) --target actor_tests framework_tests
	cd $(TSAN_BUILD_DIR) && \
	  TSAN_OPTIONS="suppressions=$(CURDIR)/tests/sanitizers/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
	  ctest --output-on-failure -j $(JOBS) --timeout 1200 -R '^(actors|framework)/'

# The differential suite against a real Apache Kafka 4.4 (tests/conformance/README.md); rewrites
# docs/compatibility.md from the run, also when some case differs (the page then lists it).
conformance: build
	bash tests/conformance/run_conformance.sh $(BUILD_DIR)/app/lkstream $(BUILD_DIR)/kafka-clients \
	  -doc docs/compatibility.md

bench: build
	$(BUILD_DIR)/bench/lkstream_bench
	$(BUILD_DIR)/bench/compaction_bench

# Kafka protocol: librdkafka producer/consumer (bench/kafka_bench.cpp) against a `lkstream serve`
# it starts; KAFKA_BENCH_ARGS="--bootstrap HOST:PORT" measures any other broker the same way.
bench-kafka: build
	$(BUILD_DIR)/bench/kafka_bench $(or $(KAFKA_BENCH_ARGS),--serve $(BUILD_DIR)/app/lkstream)

# Mirroring to Apache Kafka: the kafka_bridge vs a plain consume/produce loop (bench/bridge_bench.cpp).
# The Java client's loop (bench/java/MirrorLoop.java, kafka-clients 4.4 from Maven Central, cached
# where the tests keep it) is the third column.
bench-bridge: build
	@cp=$$(bash scripts/java-kafka-clients.sh $(BUILD_DIR)/kafka-clients/java | tail -1) && \
	  mkdir -p $(BUILD_DIR)/bench/java-classes && \
	  javac -nowarn -d $(BUILD_DIR)/bench/java-classes -cp "$$cp" bench/java/MirrorLoop.java && \
	  $(BUILD_DIR)/bench/bridge_bench --serve $(BUILD_DIR)/app/lkstream --kafka-script scripts/apache-kafka.sh \
	    --java "$(abspath $(BUILD_DIR))/bench/java-classes:$$cp" $(BRIDGE_BENCH_ARGS)

# Many partitions (issue 23): 1,000, 10,000 and 100,000 partitions, Apache Kafka 4.4 up to 10,000 in
# the same run (bench/scale_bench.cpp). SCALE_BENCH_ARGS: e.g. --partitions 1000,10000.
bench-scale: build
	$(BUILD_DIR)/bench/scale_bench --serve $(BUILD_DIR)/app/lkstream --kafka scripts/apache-kafka.sh $(SCALE_BENCH_ARGS)

# Side-by-side comparison with Apache Kafka, Redis Streams and NATS JetStream (bench/compare/README.md):
# installs the peers (scripts/install-bench-deps.sh), reconfigures so that the load generator finds
# hiredis/libnats, builds, and writes bench/results/. BENCH_COMPARE_ARGS: run_compare.py options.
BENCH_VENV ?= $(or $(LKSTREAM_CACHE),$(HOME)/.cache/lkstream)/bench-venv
BENCH_COMPARE_ARGS ?=
BENCH_COMPARE = $(BENCH_VENV)/bin/python bench/compare/run_compare.py --build-dir $(BUILD_DIR)
bench-compare-build: deps
	@bash scripts/install-bench-deps.sh
	@bash scripts/apache-kafka.sh fetch >/dev/null
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS) --target lkstream_app compare_loadgen

bench-compare: bench-compare-build
	$(BENCH_COMPARE) $(BENCH_COMPARE_ARGS)

# Under 3 minutes: one workload per system, short phases, results in bench/results/quick/.
bench-compare-quick: bench-compare-build
	$(BENCH_COMPARE) --quick $(BENCH_COMPARE_ARGS)

# The Python package against confluent-kafka, sqlite3 and Redis (BENCHMARKS.md, section Python);
# the script installs redis-server and the Python clients it compares with.
bench-python: build
	bash scripts/python-bench.sh $(BUILD_DIR)

# Redistributable artifacts (docs/install.md), packed from this build tree into $(PKG_DIR):
# wheel: the Python package with CAF, librdkafka & co. vendored by auditwheel (manylinux tag),
# the `lkstream` console script and the connectors; dist: the relocatable tarball
# lkstream-<ver>-linux-x86_64.tar.gz; deb: lkstream_<ver>_amd64.deb (CPack) with the systemd unit.
# Each is tested in a minimal Debian 12 root by tests/packaging (ctest -L packaging).
PKG_DIR ?= $(BUILD_DIR)/packages
wheel: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target lkstream_python lkstream_connectors
	@bash scripts/make-wheel.sh $(BUILD_DIR) $(PKG_DIR)/wheel

dist: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target lkstream_app lkstream_connectors
	@bash scripts/make-dist.sh $(BUILD_DIR) $(PKG_DIR)/dist

deb: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target lkstream_app lkstream_connectors
	@bash scripts/make-deb.sh $(BUILD_DIR) $(PKG_DIR)/deb

packages: wheel dist deb

# Sizes and start-up of the three artifacts in the minimal Debian 12 root (BENCHMARKS.md, Packaging).
bench-packaging: packages
	bash scripts/packaging-bench.sh $(PKG_DIR)

clean:
	rm -rf $(BUILD_DIR)
