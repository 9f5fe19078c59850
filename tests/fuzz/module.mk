# tests/fuzz/: libFuzzer targets (fuzz_<name>.c). `make check` replays the
# committed corpus (tests/fuzz/corpus/<name>/) with replay.c under the
# build's compiler; `make fuzz` builds them with clang and libFuzzer
# (build/fuzz) and runs each FUZZ_SECONDS (default 60), its new inputs in
# build/fuzz/corpus/<name>, crashes in build/fuzz/crashes/.
FUZZ_NAMES := zone keys config tlsa state dns der image
fuzz_libs_zone   := $(BUILD)/libzones.a $(BUILD)/libcommon.a
fuzz_libs_keys   := $(BUILD)/libkeys.a $(BUILD)/libcommon.a
fuzz_libs_der    := $(BUILD)/libkeys.a $(BUILD)/libcommon.a
fuzz_libs_image  := $(BUILD)/libzones.a $(BUILD)/libcommon.a
fuzz_libs_config := $(unit_libs_tools)
fuzz_libs_tlsa   := $(BUILD)/libkeys.a $(BUILD)/libcommon.a
fuzz_libs_state  := $(unit_libs_tools)
fuzz_libs_dns    := $(unit_libs_tools)

FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%)
DEPS += $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.d) $(BUILD)/tests/fuzz/replay.d

$(BUILD)/tests/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(fuzz_libs_$*) $(DEPLIBS)
$(foreach n,$(FUZZ_NAMES),$(eval $(BUILD)/tests/fuzz/replay_$(n): $(fuzz_libs_$(n))))

$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(fuzz_libs_$*) $(DEPLIBS)
$(foreach n,$(FUZZ_NAMES),$(eval $(BUILD)/tests/fuzz/fuzz_$(n): $(fuzz_libs_$(n))))

check-fuzz: $(FUZZ_REPLAYS)
	@set -e; for n in $(FUZZ_NAMES); do \
	    $(BUILD)/tests/fuzz/replay_$$n tests/fuzz/corpus/$$n; done

FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz:
	$(MAKE) VARIANT=fuzz CC=clang SAN=fuzzer-no-link,address,undefined \
	    fuzz-build
	@mkdir -p build/fuzz/crashes
	@set -e; for n in $(or $(FUZZ),$(FUZZ_NAMES)); do \
	    mkdir -p build/fuzz/corpus/$$n; \
	    echo "== fuzz_$$n for $(FUZZ_SECONDS) s"; \
	    build/fuzz/tests/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
	        -artifact_prefix=build/fuzz/crashes/$$n- \
	        build/fuzz/corpus/$$n tests/fuzz/corpus/$$n; \
	done
fuzz-build: $(FUZZ_BINS)

.PHONY: check-fuzz fuzz fuzz-build
