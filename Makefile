# Trit: `make demo` and `make test` are the only commands a new machine needs;
# both install what is missing first (`make deps`).

SWIFT      ?= swift
BUILD_DIR  := .build/debug
TRIT       := $(BUILD_DIR)/trit
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VERILATOR_MIN := 5.0

.PHONY: all deps build test test-long rtl demo bench resources lint lint-pim clean

all: build

## deps: install Verilator, Yosys, and NumPy, pyslang and tokenizers from PyPI, when missing (idempotent); check versions.
deps:
	@missing=""; \
	command -v verilator >/dev/null 2>&1 || missing="$$missing verilator"; \
	command -v yosys >/dev/null 2>&1 || missing="$$missing yosys"; \
	command -v g++ >/dev/null 2>&1 || missing="$$missing g++"; \
	command -v make >/dev/null 2>&1 || missing="$$missing make"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@v=$$(verilator --version | awk '{print $$2}'); \
	if [ "$$(printf '%s\n%s\n' "$(VERILATOR_MIN)" "$$v" | sort -V | head -n1)" != "$(VERILATOR_MIN)" ]; then \
	  echo "Verilator $$v is too old: Trit needs $(VERILATOR_MIN) or later" >&2; exit 1; \
	fi; echo "verilator $$v, $$(yosys -V | cut -d' ' -f1-2)"
	@python3 -c 'import numpy' 2>/dev/null || python3 -m pip install -q numpy || echo "NumPy missing: only the benchmark comparison needs it"
	@python3 -c 'import pyslang' 2>/dev/null || python3 -m pip install -q pyslang
	@python3 -c 'import tokenizers' 2>/dev/null || python3 -m pip install -q tokenizers || echo "tokenizers missing: only the benchmark comparison needs it"

## build: compile the toolchain (debug).
build:
	$(SWIFT) build --product trit

## test: everything CI runs.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## test-long: the same with larger random-test counts.
test-long: deps
	$(SWIFT) build --build-tests
	TRIT_LONG=1 $(SWIFT) test --skip-build

## lint-pim: elaborate the D5005 AFU inside Intel's real PIM with slang (PIM=a checkout of OFS/ofs-platform-afu-bbb).
lint-pim: build
	@test -n "$(PIM)" || { echo "usage: make lint-pim PIM=<checkout of OFS/ofs-platform-afu-bbb>" >&2; exit 2; }
	@python3 -c 'import pyslang' 2>/dev/null || python3 -m pip install -q pyslang
	rm -rf out/lint-pim
	$(TRIT) rtl --board d5005 --out out/lint-pim/afu
	python3 tools/lint_pim.py --pim "$(PIM)" --afu out/lint-pim/afu

## rtl: regenerate every committed generated file (generated/: the RTL, the ISA reference, the preset table; and the copy of sim/ built into trit).
rtl:
	python3 tools/embed_sim_sources.py
	$(MAKE) build
	rm -rf generated/rtl/examples
	$(TRIT) hdl-demo --no-lint --out generated/rtl/examples >/dev/null
	$(TRIT) isa --format md > generated/isa/ISA.md
	$(TRIT) isa --format json > generated/isa/isa.json
	rm -rf generated/rtl/isa
	$(TRIT) isa --format sv --output generated/rtl/isa
	$(TRIT) rtl --board generic --out generated/rtl/generic
	$(TRIT) rtl --board d5005 --out generated/rtl/d5005
	$(TRIT) presets > generated/presets.md

## demo: the main job: text from the trained model in models/shakespeare, on the interpreter and the D5005 core; then a d = 512 checkpoint through the hardware path.
DEMO := out/demo
demo: deps build
	$(TRIT) hdl-demo --out $(DEMO)/hdl >/dev/null
	@echo "--- models/shakespeare: an HGRN-Bit (d = 256, 4 layers) trained by the official code on Tiny Shakespeare, compiled with its tokenizer"
	$(TRIT) compile models/shakespeare --head --out $(DEMO)/shakespeare
	@echo "--- text from a prompt: the compiled program on the golden interpreter, sampled (temperature 0.8, top-k 40, seed 7)"
	$(TRIT) generate $(DEMO)/shakespeare --prompt "JULIET:" --max-new 160 --temperature 0.8 --top-k 40 --seed 7
	@echo "--- greedy (the official model continues 'ROMEO:' with the same tokens)"
	$(TRIT) generate $(DEMO)/shakespeare --prompt "ROMEO:" --max-new 40
	@echo "--- four streams on one weight pass (--batch 4 --prefill 16): three prompts side by side, each as it would run alone"
	$(TRIT) compile models/shakespeare --head --batch 4 --prefill 16 --out $(DEMO)/shakespeare4
	$(TRIT) generate $(DEMO)/shakespeare4 --prompt "ROMEO:" --prompt "JULIET:" --prompt "First Citizen:" --max-new 40
	@echo "--- one prompt by prefill, four of its tokens per run"
	$(TRIT) generate $(DEMO)/shakespeare4 --prompt "ROMEO: what light through" --max-new 20
	@echo "--- the same, a few tokens on the D5005 core in Verilator, in lock step with the interpreter"
	$(TRIT) generate $(DEMO)/shakespeare --prompt "ROMEO:" --max-new 6 --engine cosim
	@echo "--- perplexity on two validation windows, against the float reference (the official figure over the whole split: 53.06)"
	$(TRIT) eval $(DEMO)/shakespeare --tokens fixtures/trained/S/val_ids.npy --max-windows 2 --reference models/shakespeare
	@echo "--- a random HGRN-Bit checkpoint at the paper's width (d = 512, 2 layers), in the published layout"
	$(TRIT) checkpoint synth --hidden 512 --layers 2 --seed 1 --out $(DEMO)/checkpoint
	@echo "--- the D5005 core (OFS PIM AFU)"
	$(TRIT) rtl --board d5005 --out $(DEMO)/rtl-d5005
	@echo "--- block 0 compiled, then run on the golden interpreter against the float reference"
	$(TRIT) compile $(DEMO)/checkpoint --layers 0 --out $(DEMO)/block0
	$(TRIT) run $(DEMO)/block0 --token 1,2,3,4 --reference $(DEMO)/checkpoint --output $(DEMO)/block0-interpreter.npy
	@echo "--- block 0 on the D5005 core in Verilator, in lock step with the interpreter (DDR-like latency, back-pressure)"
	$(TRIT) cosim $(DEMO)/block0 --token 1,2 --preset d5005 --latency 20 --backpressure 0.1 --reference $(DEMO)/checkpoint --output $(DEMO)/block0-core.npy

## bench: the full benchmark run: bench/REPORT.md and its SVG figures (`trit-bench --quick` is the smoke run in make test); with the D5005 preset through Yosys's Intel flow (about 40 minutes more uncached, seconds from the cache that `make resources` shares).
bench: deps
	$(SWIFT) build -c release --product trit-bench
	.build/release/trit-bench --out bench --intel-resources

## resources: ALMs, M20K, DSPs, logic depth and a clock estimate of the D5005 core from Yosys's Intel flow (docs/silicon.md); about 40 minutes uncached on 2 cores, seconds from the cache.
resources: deps build
	$(TRIT) rtl --board d5005 --out out/resources/d5005 --resources

## lint: Verilator -Wall and Yosys over everything the generator emits.
lint: deps build
	$(TRIT) hdl-demo --out out/lint
	python3 tools/slang_lint.py out/lint
	for d in generated/rtl/generic generated/rtl/d5005 generated/rtl/isa generated/rtl/examples; do python3 tools/slang_lint.py $$d || exit 1; done

clean:
	rm -rf .build out
