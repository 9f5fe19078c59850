# KSK (double-KSK) and ZSK rollovers driven by `zonewarden run` alone, with a
# simulated parent: it reads the zone's CDS a day after it changes and then
# serves those DS records (parent-ds-check = file: reads what it serves).
# Every published version must verify, no signature may be cached without its
# key, and no DS set may be cached beside a DNSKEY set it cannot validate.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
# make longcheck runs two simulated years (ZW_SIM_DAYS=730, ZW_KSK_LIFETIME=180d)
# starting with algorithm 8 (ZW_SIM_ALG_FROM=rsasha256), rolled to 13 on day 300.
DAYS=${ZW_SIM_DAYS:-150}
ALG=${ZW_SIM_ALG_FROM:-ecdsap256sha256}
if [ "$ALG" != ecdsap256sha256 ]; then
	SIM_AT_STEP=$((300 * 4))
	SIM_AT_CMD="sed -i 's/^algorithm = .*/algorithm = ecdsap256sha256/' zw.conf"
fi
cat >zw.conf <<CONF
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
algorithm = $ALG
zsk-lifetime = 30d
ksk-lifetime = ${ZW_KSK_LIFETIME:-60d}
propagation-delay = 1h
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
CONF

# The checker must catch a DS set that points at a key gone from the DNSKEY set.
printf '0 1\n' >p.bad
printf '0 1,2 2 1\n50000 2,3 3 3\n' >z.bad
CHECKS=$((CHECKS + 1))
awk -v wds=7200 -v wkey=7200 -v end=100000 -f "$TOP/tests/integration/ds_check.awk" p.bad z.bad >/dev/null &&
	fail "ds_check accepts a DS left pointing at a removed KSK"

SIM_TOP=$TOP
. "$TOP/tests/integration/rollover_sim.sh"
sim_timeline "$DAYS"
sim_check "$SIM_END" 7200 7200 90000
echo "test_ksk_rollover.sh: $SIM_RUNS runs over $DAYS days, $SIM_VERSIONS versions, $SIM_KSK_ROLLS KSK and $SIM_ZSK_ROLLS ZSK rollovers (an algorithm rollover counts once in each), $(wc -l <parent.history) parent DS sets, algorithms $(awk '{ print $5 }' history | tr ',' '\n' | cut -d: -f2 | sort -un | paste -sd, -)"
CHECKS=$((CHECKS + 2))
[ "$SIM_KSK_ROLLS" -ge 2 ] || fail "only $SIM_KSK_ROLLS KSK rollovers: $(cat parent.history)"
[ "$SIM_ZSK_ROLLS" -ge $((DAYS / 30 - 1)) ] || fail "only $SIM_ZSK_ROLLS ZSK rollovers"
# Each KSK a roll made was asked for at the parent, and each that left saw its DS go.
submitted=$(grep -l '^DSSubmitted: 2' keys/*.zwstate | wc -l)
withdrawn=$(grep -l '^DSWithdrawn: 2' keys/*.zwstate | wc -l)
removed=$(grep -l '^Role: KSK' keys/*.zwstate | xargs grep -l '^Removed: 2' | wc -l)
CHECKS=$((CHECKS + 2))
[ "$submitted" -ge "$SIM_KSK_ROLLS" ] || fail "$submitted KSKs with DSSubmitted for $SIM_KSK_ROLLS rolls"
[ "$withdrawn" = "$removed" ] || fail "$withdrawn KSKs with DSWithdrawn of $removed removed: $(grep -H DS keys/*.zwstate)"
finish
