# tests/bench/: `make bench` measures zonewarden against the peers (issue 3).
#
# The zone generator and the crypto-floor program build with the flags of the
# variant they are made in; `bench` makes them, and the -O3 signer, in the
# bench variant, then runs tests/bench/run.sh. See tests/bench/README.
BENCH_SIZES ?= 10000 100000 1000000
BENCH_RUNS  ?= 3
BENCH_SMALL_RUNS ?= 11
BENCH_PEERS ?=

bench_progs := $(BUILD)/tests/bench/genzone $(BUILD)/tests/bench/floor
DEPS += $(bench_progs:%=%.d)

$(BUILD)/tests/bench/genzone: $(BUILD)/tests/bench/genzone.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/bench/floor: $(BUILD)/tests/bench/floor.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(DEPLIBS)

bench-progs: $(BUILD)/zonewarden $(bench_progs)

bench:
	$(MAKE) VARIANT=bench SAN= bench-progs
	$(MAKE) VARIANT=default SAN= build/default/tests/fixclock.so
	@ZW=build/bench/zonewarden GENZONE=build/bench/tests/bench/genzone \
	    FLOOR=build/bench/tests/bench/floor \
	    FIXCLOCK_SO=build/default/tests/fixclock.so \
	    BENCH_SIZES="$(BENCH_SIZES)" BENCH_RUNS="$(BENCH_RUNS)" \
	    BENCH_SMALL_RUNS="$(BENCH_SMALL_RUNS)" \
	    BENCH_PEERS="$(BENCH_PEERS)" sh tests/bench/run.sh

.PHONY: bench bench-progs
