# Runs at the same time (issue 8), over four zones of 2000 names each:
# two and four runs of every zone at once take turns zone by zone (each
# zone signed once, every run succeeds); four runs of four different zones
# proceed side by side; four runs of one zone whose lock someone else holds
# all wait --lock-wait and exit with the locked code (7), leaving the output
# untouched. Every output verifies after every round.
. tests/lib.sh

cd "$WORK" || exit 1
: >zw.conf
for n in 1 2 3 4; do
	awk -v z="zone$n.test" 'BEGIN { print "$ORIGIN " z "."; print "$TTL 300"
		print "@ SOA ns1 hostmaster 1 7200 3600 1209600 300"; print "@ NS ns1"
		print "ns1 A 192.0.2.1"
		for (i = 0; i < 2000; i++) printf "h%d A 192.0.2.%d\n", i, i % 250 + 1 }' >zone$n.zone
	cat >>zw.conf <<CONF
[zone zone$n.test]
input = zone$n.zone
output = zone$n.signed
keydir = keys/zone$n
signature-validity = 30d

CONF
done
T=$NOW_EPOCH

# all_verify NAME AT: every zone's output is complete and verifies at AT.
all_verify() {
	for n in 1 2 3 4; do
		CHECKS=$((CHECKS + 1))
		ldns-verify-zone -V 1 -t "$(date -u -d "@$2" +%Y%m%d%H%M%S)" zone$n.signed \
		    >verify.out 2>&1 || fail "$1: zone$n.signed does not verify: $(tail -n 2 verify.out)"
	done
}
# together NAME COUNT [ZONE...]: COUNT runs at once (of ZONE, or all zones);
# each must exit 0. Sets SIGNED: how many zone signings they reported.
together() {
	tg_name=$1 tg_count=$2
	shift 2
	tg_pids=""
	for k in $(seq "$tg_count"); do
		"$ZW" --now $T run --config zw.conf "$@" >run$k.out 2>&1 &
		tg_pids="$tg_pids $!"
	done
	k=0
	for p in $tg_pids; do
		k=$((k + 1))
		wait "$p"
		rc=$?
		CHECKS=$((CHECKS + 1))
		[ $rc = 0 ] || fail "$tg_name: run $k exited $rc: $(cat run$k.out)"
	done
	SIGNED=$(cat run*.out | grep -c ": signed")
	rm -f run*.out
}

# Two, then four runs of every zone: each zone is signed once, by one run.
together "2 runs, first signing" 2
CHECKS=$((CHECKS + 1))
[ "$SIGNED" = 4 ] || fail "2 runs: $SIGNED signings of 4 zones, want 4"
all_verify "2 runs" $T
for z in 1 2 3 4; do printf 'new A 192.0.2.9\n' >>zone$z.zone; done
T=$((T + 3600))
together "4 runs" 4
CHECKS=$((CHECKS + 1))
[ "$SIGNED" = 4 ] || fail "4 runs: $SIGNED signings of 4 zones, want 4"
all_verify "4 runs" $T

# Four runs, each of its own zone: no lock shared, all done, all signed.
for z in 1 2 3 4; do printf 'new2 A 192.0.2.10\n' >>zone$z.zone; done
T=$((T + 3600))
pids=""
for z in 1 2 3 4; do
	"$ZW" --now $T run --config zw.conf zone$z.test >own$z.out 2>&1 &
	pids="$pids $!"
done
z=0
for p in $pids; do
	z=$((z + 1))
	wait "$p"
	rc=$?
	CHECKS=$((CHECKS + 2))
	[ $rc = 0 ] || fail "own zone $z: exit $rc: $(cat own$z.out)"
	grep -q "zone$z.test: signed" own$z.out || fail "own zone $z: not signed: $(cat own$z.out)"
done
all_verify "own zones" $T

# Someone else holds zone1's lock: four runs of it wait 1 s each, exit 7,
# and change nothing; zone2 meanwhile is signed by a run that names it.
for z in 1 2; do printf 'new3 A 192.0.2.11\n' >>zone$z.zone; done
T=$((T + 3600))
sum=$(sha256sum <zone1.signed)
flock keys/zone1/.lock sleep 6 &
holder=$!
sleep 0.5
pids=""
for k in 1 2 3 4; do
	"$ZW" --now $T run --config zw.conf zone1.test --lock-wait 1 >locked$k.out 2>&1 &
	pids="$pids $!"
done
expect_run "zone2 beside a held lock" 0 "zone2.test: signed" "$ZW" --now $T run --config zw.conf zone2.test
k=0
for p in $pids; do
	k=$((k + 1))
	wait "$p"
	rc=$?
	CHECKS=$((CHECKS + 2))
	[ $rc = 7 ] || fail "locked run $k: exit $rc, want 7: $(cat locked$k.out)"
	grep -q "held this zone's lock for 1 s" locked$k.out || fail "locked run $k: $(cat locked$k.out)"
done
CHECKS=$((CHECKS + 1))
[ "$(sha256sum <zone1.signed)" = "$sum" ] || fail "a locked run changed zone1.signed"
kill $holder 2>/dev/null
wait $holder 2>/dev/null
# Once free, zone1 is signed as usual.
expect_run "zone1 after the lock" 0 "zone1.test: signed" "$ZW" --now $T run --config zw.conf zone1.test
all_verify "after the lock" $T
finish
