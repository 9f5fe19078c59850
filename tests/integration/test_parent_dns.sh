# KSK rollover with the parent's DS checked over DNS (parent-ds-check = dns),
# in a network namespace of its own: two NSD servers for the parent zone
# test. (127.0.0.1 and 127.0.0.2), example.test delegated from it. The new
# KSK's DS counts as seen only once both parent servers serve it; the old KSK
# leaves only after the parent DS TTL and propagation delay on top.
. tests/lib.sh
. tests/integration/servers.sh

netns_enter "$0"
for tool in nsd dig ldns-verify-zone; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
PORT=$(srv_random_port)
cp "$TESTDATA/zones/resolve.valid" example.test.zone
cat >zw.conf <<CONF
[zone example.test]
input = example.test.zone
output = example.test.signed
keydir = keys
parent-ds-check = dns
resolver = 127.0.0.1@$PORT
parent-ds-ttl = 1h
parent-propagation-delay = 10m
CONF

# parent_zone FILE DSFILE: the parent zone test. with example.test's DS from DSFILE.
parent_zone() {
	{
		printf '$ORIGIN test.\n$TTL 300\n@ SOA ns1 hostmaster %s 3600 600 86400 300\n' "$(date +%s)"
		printf '@ NS ns1\n@ NS ns2\nns1 A 127.0.0.1\nns2 A 127.0.0.2\n'
		printf 'example NS ns1.example\nns1.example A 127.0.0.53\n'
		grep -v '^;' "$2" | awk 'NF { print $1, $2, $3, $4, $5, $6, $7, $8 }'
	} >"$1"
}

# start_parent N DSFILE: (re)start parent server N on 127.0.0.N with that DS set.
start_parent() {
	if [ -f "p$1.pid" ]; then
		pid=$(cat "p$1.pid")
		kill "$pid" 2>/dev/null
		w=0
		while kill -0 "$pid" 2>/dev/null && [ $w -lt 50 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		rm -f "p$1.pid"
	fi
	parent_zone "parent$1.zone" "$2"
	{
		echo "server:"
		echo "	ip-address: 127.0.0.$1@$PORT"
		echo "	port: $PORT"
		echo "	do-ip6: no"
		echo "	server-count: 1"
		echo '	username: ""'
		echo '	chroot: ""'
		echo "	zonesdir: \"$WORK\""
		echo '	database: ""'
		echo "	zonelistfile: \"$WORK/nsd$1.zonelist\""
		echo "	xfrdfile: \"$WORK/nsd$1.xfrd\""
		echo "	pidfile: \"$WORK/p$1.pid\""
		echo "	logfile: \"$WORK/nsd$1.log\""
		echo "remote-control:"
		echo "	control-enable: no"
		echo "zone:"
		echo '	name: "test."'
		echo "	zonefile: \"$WORK/parent$1.zone\""
	} >"nsd$1.conf"
	rm -f "nsd$1.zonelist" "nsd$1.xfrd"
	nsd -c "nsd$1.conf" || { fail "NSD $1 did not start: $(tail -n 5 "nsd$1.log")"; return 1; }
	w=0
	until dig +short +time=1 +tries=1 @127.0.0.$1 -p $PORT test. SOA | grep -q hostmaster; do
		w=$((w + 1))
		[ $w -lt 50 ] || { fail "NSD $1 does not answer: $(tail -n 5 "nsd$1.log")"; return 1; }
		sleep 0.2
	done
}
stop_parents() {
	for n in 1 2; do
		[ -f "$WORK/p$n.pid" ] || continue
		pid=$(cat "$WORK/p$n.pid")
		kill "$pid" 2>/dev/null
		w=0
		while kill -0 "$pid" 2>/dev/null && [ $w -lt 50 ]; do
			sleep 0.1
			w=$((w + 1))
		done
	done
}
at_exit stop_parents

T0=$NOW_EPOCH
run_at() {   # SECONDS-AFTER-T0 [PATTERN]
	expect_run "run at +$1" 0 "${2:-}" "$ZW" --now $((T0 + $1)) run --config zw.conf
}

run_at 0 "signed"
"$ZW" --now $T0 keys ds example.test --keydir keys >ds.old
start_parent 1 ds.old && start_parent 2 ds.old || { finish; exit; }
old=$(awk '$4 == "DS" { print $5 }' ds.old)

# A KSK roll by hand; the new KSK's CDS appears once its DNSKEY can be cached.
expect_run roll 0 "new KSK" "$ZW" --now $((T0 + 3600)) keys roll example.test --ksk --config zw.conf
new=$(sed -n 's/.*new KSK \([0-9]*\) .*/\1/p' "$WORK/stderr")
CHECKS=$((CHECKS + 1))
[ -n "$new" ] && [ "$new" != "$old" ] || fail "no new KSK: $(cat "$WORK/stderr")"
NEWSTATE=keys/Kexample.test.+013+$(printf %05d "$new").zwstate
run_at 3600 "keys changed"
run_at 7200
run_at 10800
CHECKS=$((CHECKS + 1))
grep -q "CDS[[:space:]]*$new " example.test.signed || fail "the CDS does not name the new KSK $new: $(grep CDS example.test.signed)"
expect_run status-waits 0 "" "$ZW" --now $((T0 + 10800)) keys status example.test --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "waiting for the DS of key $new at the parent" "$WORK/stdout" || fail "keys status: $(cat "$WORK/stdout")"

# The parent's first server takes the new DS; the second still serves the old.
"$ZW" --now $((T0 + 14400)) keys ds example.test --keydir keys | grep -v "[[:space:]]DS[[:space:]]*$old[[:space:]]" >ds.new
CHECKS=$((CHECKS + 1))
grep -q "DS[[:space:]]*$new[[:space:]]" ds.new || fail "keys ds gives no DS for $new: $(cat ds.new)"
start_parent 1 ds.new || { finish; exit; }
run_at 14400
CHECKS=$((CHECKS + 1))
grep -q "^DSSeen: 0" "$NEWSTATE" || fail "the DS counts as seen while one parent server lacks it: $(cat "$NEWSTATE")"
# keys status says how far the parent is, from what that run heard.
expect_run status-one-of-two 0 "" "$ZW" --now $((T0 + 14400)) keys status example.test --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "waiting for the DS of key $new at the parent: seen on 1 of 2 parent servers" "$WORK/stdout" ||
	fail "keys status does not count the parent servers: $(cat "$WORK/stdout")"
expect_run status-json 0 "" "$ZW" --now $((T0 + 14400)) keys status example.test --config zw.conf --json
CHECKS=$((CHECKS + 1))
grep -q '"serving": 1' "$WORK/stdout" && grep -q '"servers": 2' "$WORK/stdout" ||
	fail "keys status --json lacks the parent counts: $(cat "$WORK/stdout")"
# Both servers serve it now.
start_parent 2 ds.new || { finish; exit; }
run_at 18000
CHECKS=$((CHECKS + 1))
grep -q "^DSSeen: 2026" "$NEWSTATE" || fail "the DS served by every parent server is not seen: $(cat "$NEWSTATE")"
# Parent DS TTL (1h) and propagation (10m) later, not before, the old KSK goes.
run_at 21600
CHECKS=$((CHECKS + 1))
[ "$(grep -c '[[:space:]]DNSKEY[[:space:]]*257' example.test.signed)" = 2 ] || fail "the old KSK left too early"
run_at 25200 "keys changed"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '[[:space:]]DNSKEY[[:space:]]*257' example.test.signed)" = 1 ] || fail "the old KSK did not leave"
CHECKS=$((CHECKS + 1))
ldns-verify-zone -V 0 -t "$(date -u -d "@$((T0 + 25260))" +%Y%m%d%H%M%S)" example.test.signed ||
	fail "the zone after the roll does not verify"
finish
