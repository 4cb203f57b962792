# Thin wrapper around CMake: out-of-source build/, Ninja, RelWithDebInfo by default.
BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
DATA_DIR   ?= ./data
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps configure build run test bench bench-kafka clean

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

bench: build
	$(BUILD_DIR)/bench/lkstream_bench

# Kafka protocol: librdkafka producer/consumer (bench/kafka_bench.cpp) against a `lkstream serve`
# it starts; KAFKA_BENCH_ARGS="--bootstrap HOST:PORT" measures any other broker the same way.
bench-kafka: build
	$(BUILD_DIR)/bench/kafka_bench $(or $(KAFKA_BENCH_ARGS),--serve $(BUILD_DIR)/app/lkstream)

clean:
	rm -rf $(BUILD_DIR)
