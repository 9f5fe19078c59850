# Kill -9 at any moment of `zonewarden run` while CSKs roll:
# test_rollover_crash.sh with key-scheme = csk.
ZW_CRASH_SCHEME=csk
export ZW_CRASH_SCHEME
. tests/integration/test_rollover_crash.sh
