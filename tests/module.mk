# tests/: unit suites (Check), CLI golden runs, integration with real servers.
#
# tests/unit/<layer>/test_<module>.c is one Check suite and one binary,
# linked against its layer and the layers below only, so that an upward
# dependency fails to link.
unit_libs_common := $(BUILD)/libcommon.a
unit_libs_zones  := $(BUILD)/libzones.a $(unit_libs_common)
unit_libs_keys   := $(BUILD)/libkeys.a $(unit_libs_common)
unit_libs_signer := $(BUILD)/libsigner.a $(BUILD)/libzones.a $(BUILD)/libkeys.a $(unit_libs_common)
unit_libs_tools  := $(BUILD)/libtools.a $(unit_libs_signer)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

define unit_layer
unit_srcs_$(1) := $$(wildcard tests/unit/$(1)/test_*.c)
unit_bins_$(1) := $$(unit_srcs_$(1):%.c=$$(BUILD)/%)
$$(unit_bins_$(1)): $$(BUILD)/%: $$(BUILD)/%.o $$(unit_libs_$(1))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(DEPLIBS) $$(CHECK_LIBS)
UNIT_BINS += $$(unit_bins_$(1))
DEPS += $$(unit_srcs_$(1):%.c=$$(BUILD)/%.d)
endef
UNIT_BINS :=
$(foreach l,common zones keys signer tools,$(eval $(call unit_layer,$(l))))
$(BUILD)/tests/unit/%.o: CFLAGS += $(CHECK_CFLAGS)

# Unit suites find their data under tests/data; CK_TAP-free plain output.
check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; ZW_TESTDATA=tests/data $$t; done

# The unit suites under valgrind, unforked: no invalid access, no leak.
valgrind: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== valgrind $$t"; \
	    CK_FORK=no ZW_TESTDATA=tests/data valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect $$t; done

check-cli: $(BUILD)/zonewarden
	@ZW=$(BUILD)/zonewarden sh tests/run.sh cli

# Sets the wall clock of verifiers that have no time option (LD_PRELOAD).
FIXCLOCK := $(BUILD)/tests/fixclock.so
$(FIXCLOCK): tests/integration/fixclock.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $<

# Makes fdatasync(2) fail, as a disk that cannot write back does (LD_PRELOAD).
FAILSYNC := $(BUILD)/tests/failsync.so
$(FAILSYNC): tests/integration/failsync.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $<

check-integration: $(BUILD)/zonewarden $(FIXCLOCK) $(FAILSYNC)
	@ZW=$(BUILD)/zonewarden ZW_FIXCLOCK_SO=$(abspath $(FIXCLOCK)) \
	    ZW_FAILSYNC_SO=$(abspath $(FAILSYNC)) sh tests/run.sh integration

check: check-unit check-fuzz check-cli check-integration

# Slow: two simulated years of rollovers from the hourly timer's point of
# view (6h steps), and many more runs killed with -9.
longcheck: $(BUILD)/zonewarden $(FIXCLOCK)
	@ZW=$(BUILD)/zonewarden ZW_FIXCLOCK_SO=$(abspath $(FIXCLOCK)) \
	    ZW_SIM_DAYS=730 ZW_KSK_LIFETIME=180d ZW_SIM_ALG_FROM=rsasha256 \
	    sh tests/integration/test_ksk_rollover.sh
	@ZW=$(BUILD)/zonewarden ZW_FIXCLOCK_SO=$(abspath $(FIXCLOCK)) \
	    ZW_CRASH_STEPS=1000 ZW_SEED=$$(date +%s) sh tests/integration/test_rollover_crash.sh
	@ZW=$(BUILD)/zonewarden ZW_FIXCLOCK_SO=$(abspath $(FIXCLOCK)) \
	    ZW_SIM_DAYS=730 sh tests/integration/test_csk_rollover.sh
	@ZW=$(BUILD)/zonewarden ZW_FIXCLOCK_SO=$(abspath $(FIXCLOCK)) \
	    ZW_CRASH_STEPS=1000 ZW_SEED=$$(date +%s) sh tests/integration/test_csk_rollover_crash.sh
	@ZW=$(BUILD)/zonewarden ZW_FIXCLOCK_SO=$(abspath $(FIXCLOCK)) \
	    ZW_CRASH_STEPS=400 ZW_SEED=$$(date +%s) sh tests/integration/test_algorithm_rollover_crash.sh

.PHONY: check-unit check-cli check-integration longcheck valgrind
