# An algorithm rollover from 8 (RSASHA256) to 13 (ECDSAP256SHA256) driven
# by `zonewarden run` alone once the config's algorithm changes (RFC 6781
# section 4.1.4): the new keys sign everything before their DNSKEYs appear,
# the CDS moves to the new KSK, the simulated parent swaps the DS a day
# later, the old DNSKEYs leave once no cache can hold the old DS set, and
# their signatures once no cache can hold a DNSKEY set with them. Every
# version must satisfy both verifiers, and every DNSKEY set and signature
# a resolver could hold together must validate (every algorithm included).
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
DAYS=${ZW_SIM_DAYS:-20}
conf() { # conf ALGORITHM
	cat >zw.conf <<CONF
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
algorithm = $1
zsk-lifetime = 30d
propagation-delay = 1h
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
CONF
}
conf rsasha256

# The checker must catch a DNSKEY set of two algorithms cached beside an
# RRset that only one of them signed.
printf '0 1,2 1 1 1:8,2:13\n' >h.bad
CHECKS=$((CHECKS + 1))
awk -v wkey=7200 -v wsig=7200 -v end=100000 -f "$TOP/tests/integration/rollover_check.awk" h.bad >/dev/null &&
	fail "rollover_check accepts an algorithm of the DNSKEY set that signs nothing"

SIM_TOP=$TOP
SIM_DNSSEC_VERIFY=1
# On day 3 the operator sets the new algorithm; runs do the rest.
SIM_AT_STEP=12
SIM_AT_CMD="conf ecdsap256sha256"
. "$TOP/tests/integration/rollover_sim.sh"
sim_timeline "$DAYS"
sim_check "$SIM_END" 7200 7200 90000
echo "test_algorithm_rollover.sh: $SIM_RUNS runs over $DAYS days, $SIM_VERSIONS versions, $(wc -l <parent.history) parent DS sets"

# algs_at LINE FIELD: the algorithms of the tags in FIELD of a history line.
algs_of() {
	echo "$1" | awk -v f="$2" '{
		na = split($5, ta, ","); for (i = 1; i <= na; i++) { split(ta[i], kv, ":"); alg[kv[1]] = kv[2] }
		n = split($f, t, ","); for (i = 1; i <= n; i++) seen[alg[t[i]]] = 1
		for (a in seen) out = out (out == "" ? "" : ",") a; print out }' | tr ',' '\n' | sort -n | paste -sd, -
}
first=$(head -n 1 history) last=$(tail -n 1 history)
CHECKS=$((CHECKS + 6))
[ "$(algs_of "$first" 2)" = 8 ] || fail "the first version's keys are not algorithm 8: $first"
[ "$(algs_of "$last" 2)" = 13 ] && [ "$(algs_of "$last" 3)" = 13 ] ||
	fail "the last version still has algorithm 8: $last"
# Signatures before keys: a version signed by 13 whose DNSKEY set is 8 only.
ahead=0 after=0
while read -r line; do
	k=$(algs_of "$line" 2) s=$(algs_of "$line" 3)
	[ "$k" = 8 ] && [ "$s" = 8,13 ] && ahead=$((ahead + 1))
	[ "$k" = 13 ] && [ "$s" = 8,13 ] && after=$((after + 1))
done <history
[ $ahead -ge 1 ] || fail "no version signed by algorithm 13 before its keys were published: $(cat history)"
[ $after -ge 1 ] || fail "no version keeping the algorithm 8 signatures after its keys left: $(cat history)"
# The parent went from the old DS to the new one.
[ "$(tail -n 1 parent.history | awk '{ print $2 }')" != "$(head -n 1 parent.history | awk '{ print $2 }')" ] ||
	fail "the parent's DS never changed: $(cat parent.history)"
"$ZW" --now "$SIM_END" keys status example.com --config zw.conf >status.out 2>&1 ||
	fail "keys status: $(cat status.out)"
grep -q "RSASHA256.*removed" status.out || fail "keys status does not show the old keys removed: $(cat status.out)"

# The same by hand, with no algorithm in the config: keys roll --algorithm
# on day 1 rolls 13 to 15 (Ed25519); later runs carry it through.
mkdir byhand && cd byhand || exit 1
cp ../example.com.zone .
conf ecdsap256sha256
sed -i '/^algorithm = /d' zw.conf
SIM_DNSSEC_VERIFY=
SIM_AT_STEP=4
SIM_AT_CMD='"$ZW" --now "$st_t" -q keys roll example.com --algorithm ed25519 --config zw.conf >roll.out 2>&1 || fail "keys roll --algorithm: $(cat roll.out)"'
. "$TOP/tests/integration/rollover_sim.sh"
sim_timeline 12
sim_check "$SIM_END" 7200 7200 90000
last=$(tail -n 1 history)
CHECKS=$((CHECKS + 2))
[ "$(algs_of "$last" 2)" = 15 ] && [ "$(algs_of "$last" 3)" = 15 ] ||
	fail "keys roll --algorithm ed25519 did not end with Ed25519 keys only: $last"
# The config naming another algorithm than the one asked for: refused.
expect_run roll-conflict 2 "change it there" "$ZW" --now "$SIM_END" keys roll \
    example.com --algorithm rsasha256 --config ../zw.conf
finish
