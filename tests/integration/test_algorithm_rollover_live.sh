# An algorithm rollover (8 to 13) against the real stack (NSD, Unbound at
# every boundary): test_rollover_live.sh with ZW_LIVE_SCHEME=algorithm.
ZW_LIVE_SCHEME=algorithm
export ZW_LIVE_SCHEME
. tests/integration/test_rollover_live.sh
