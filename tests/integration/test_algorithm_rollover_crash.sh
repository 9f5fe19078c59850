# Kill -9 at any moment of `zonewarden run` during an algorithm rollover
# (8 to 13): test_rollover_crash.sh with ZW_CRASH_SCHEME=algorithm.
ZW_CRASH_SCHEME=algorithm
export ZW_CRASH_SCHEME
. tests/integration/test_rollover_crash.sh
