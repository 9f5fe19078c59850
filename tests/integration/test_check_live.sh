# zonewarden check --live (issue 7): every address of every name server of
# the zone, over UDP and TCP, in a network namespace of its own. Two NSD
# servers (127.0.0.1 and 127.0.0.2, the zone's NS set): when both serve the
# signed zone, no finding; when the second lags behind a new version, it is
# named (live-serial-mismatch); when it is down, it is named as well
# (live-no-answer); the offline checks run on each server's answers.
. tests/lib.sh
. tests/integration/servers.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup dig; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
Z=example.test
cat >$Z.zone <<ZONE
\$ORIGIN $Z.
\$TTL 300
@	SOA	ns1 hostmaster 2026112201 7200 3600 864000 300
	NS	ns1
	NS	ns2
ns1	A	127.0.0.1
ns2	A	127.0.0.2
www	A	192.0.2.80
ZONE
cp $Z.zone $Z.signed
cp $Z.zone ns2.zone
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
PORT=$NSD_PORT
cat >zw.conf <<CONF
[zone $Z]
input = $Z.zone
output = $Z.signed
keydir = keys
signature-validity = 30d
reload = nsd-control -c $WORK/nsd.conf reload %z
CONF
ns2_stop() {
	[ -f ns2.pid ] || return 0
	kill "$(cat ns2.pid 2>/dev/null)" 2>/dev/null
	w=0
	while [ -f ns2.pid ] && kill -0 "$(cat ns2.pid 2>/dev/null)" 2>/dev/null && [ $w -lt 50 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	rm -f ns2.pid
}
ns2_restart() {
	ns2_stop
	printf 'server:\n\tip-address: 127.0.0.2@%s\n\tport: %s\n\tdo-ip6: no\n\tserver-count: 1\n\tusername: ""\n\tchroot: ""\n\tzonesdir: "%s"\n\tdatabase: ""\n\tzonelistfile: "%s/nsd2.zonelist"\n\txfrdfile: "%s/nsd2.xfrd"\n\tpidfile: "%s/ns2.pid"\n\tlogfile: "%s/nsd2.log"\nremote-control:\n\tcontrol-enable: no\nzone:\n\tname: "%s"\n\tzonefile: "%s/ns2.zone"\n' \
	    $PORT $PORT "$WORK" "$WORK" "$WORK" "$WORK" "$WORK" $Z "$WORK" >nsd2.conf
	rm -f nsd2.zonelist nsd2.xfrd
	t=0
	until nsd -c nsd2.conf 2>>nsd2.log; do
		t=$((t + 1))
		[ $t -lt 20 ] || { fail "NSD 2 did not start: $(tail -n 5 nsd2.log)"; return 1; }
		sleep 0.25
	done
	want=$(awk '$4 == "SOA" { print $7; exit }' ns2.zone)
	w=0
	until [ "$(dig +short +norec +time=1 +tries=1 @127.0.0.2 -p $PORT $Z SOA | awk '{ print $3 }')" = "$want" ]; do
		w=$((w + 1))
		[ $w -lt 50 ] || { fail "NSD 2 does not serve serial $want"; return 1; }
		sleep 0.2
	done
}
at_exit 'kill "$(cat "$WORK/ns2.pid" 2>/dev/null)" 2>/dev/null'
wait_served() {
	want=$(awk '$4 == "SOA" { print $7; exit }' $Z.signed)
	w=0
	until [ "$(dig +short +norec +time=1 +tries=1 @127.0.0.1 -p $PORT $Z SOA | awk '{ print $3 }')" = "$want" ]; do
		w=$((w + 1))
		[ $w -lt 50 ] || { fail "NSD 1 does not serve serial $want"; return 1; }
		sleep 0.1
	done
}
# live LABEL EXIT PATTERN TIME: check --live exits EXIT and its output matches PATTERN
live() {
	CHECKS=$((CHECKS + 1))
	"$ZW" --now "$4" check $Z --live --resolver 127.0.0.1@$PORT --ds ds >live.out 2>live.err
	got=$?
	if [ "$got" != "$2" ]; then
		fail "$1: exit $got, want $2: $(cat live.out live.err)"
	elif ! grep -q -- "$3" live.out; then
		fail "$1: output lacks '$3': $(cat live.out)"
	fi
}
T0=$NOW_EPOCH
expect_run first 0 "signed" "$ZW" --now $T0 run --config zw.conf
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
wait_served
cp $Z.signed ns2.zone
ns2_restart
live both-serve 0 "^CHECK OK - $Z: 0 errors, 0 warnings" $((T0 + 60))
# A new version: NSD 1 takes it, NSD 2 does not.
printf 'new\tA\t192.0.2.81\n' >>$Z.zone
expect_run second 0 "signed" "$ZW" --now $((T0 + 120)) run --config zw.conf
wait_served
live stale 2 "^error live-serial-mismatch .*ns2.$Z. (127.0.0.2@$PORT, UDP) serves serial" $((T0 + 180))
CHECKS=$((CHECKS + 1))
grep -q "ns1.$Z. (127.0.0.1@$PORT.*serves serial" live.out && fail "stale: ns1 named: $(cat live.out)"
grep -q "ns2.$Z. (127.0.0.2@$PORT, TCP) serves serial" live.out || fail "stale: not checked over TCP: $(cat live.out)"
# NSD 2 down: named.
ns2_stop
live down 2 "^error live-no-answer .*ns2.$Z. (127.0.0.2@$PORT, UDP): no answer" $((T0 + 240))
# Expired signatures as the servers serve them: found per server.
cp $Z.signed ns2.zone
ns2_restart
live expired 2 "^error sig-expired .*at ns1.$Z. (127.0.0.1@$PORT, UDP)" $((T0 + 40 * 86400))
finish
