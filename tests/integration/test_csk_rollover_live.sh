# CSK rollovers against the real stack (NSD, Unbound at every boundary):
# test_rollover_live.sh with key-scheme = csk.
ZW_LIVE_SCHEME=csk
export ZW_LIVE_SCHEME
. tests/integration/test_rollover_live.sh
