# CSK rollovers driven by `zonewarden run` alone (key-scheme = csk), with the
# simulated parent of the KSK test: the successor is published signing the
# key RRsets only, takes over the data once its DNSKEY can be in every cache,
# and the old CSK leaves once the parent serves the new DS and no cache can
# hold the old DS set or its signatures. Every published version must
# verify, no signature may be cached without its key, and no DS set may be
# cached beside a DNSKEY set it cannot validate.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
# make longcheck runs two simulated years (ZW_SIM_DAYS=730).
DAYS=${ZW_SIM_DAYS:-100}
cat >zw.conf <<CONF
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
key-scheme = csk
csk-lifetime = 40d
propagation-delay = 1h
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
CONF

SIM_TOP=$TOP
. "$TOP/tests/integration/rollover_sim.sh"
sim_timeline "$DAYS"
sim_check "$SIM_END" 7200 7200 90000
echo "test_csk_rollover.sh: $SIM_RUNS runs over $DAYS days, $SIM_VERSIONS versions, $SIM_KSK_ROLLS CSK rollovers, $(wc -l <parent.history) parent DS sets"
CHECKS=$((CHECKS + 4))
[ "$SIM_KSK_ROLLS" -ge $((DAYS / 40)) ] || fail "only $SIM_KSK_ROLLS CSK rollovers: $(cat parent.history)"
# One key does both jobs: the keys signing the data are the keys signing the DNSKEY set, over the whole history.
[ "$SIM_ZSK_ROLLS" = "$SIM_KSK_ROLLS" ] || fail "data signers ($SIM_ZSK_ROLLS rolls) and key signers ($SIM_KSK_ROLLS) differ"
# During each roll the DNSKEY set holds two CSKs, one signing the data.
awk '{ if (split($2, k, ",") > 1) two++; if (split($3, s, ",") > 1) both++ } END { exit !(two > 0 && both == 0) }' history ||
	fail "no version with two CSKs, or one whose data two CSKs signed: $(cat history)"
# The status of a rolling zone says what the old key waits for.
"$ZW" --now $((SIM_END)) keys status example.com --config zw.conf >status.out 2>&1 ||
	fail "keys status: $(cat status.out)"
grep -q "CSK" status.out || fail "keys status shows no CSK: $(cat status.out)"
finish
