# zonewarden check --live (issue 7): every address of every name server of
# the zone, over UDP and TCP, in a network namespace of its own. Two NSD
# servers (127.0.0.1 and 127.0.0.2, the zone's NS set): when both serve the
# signed zone, no finding; when the second lags behind a new version, it is
# named (live-serial-mismatch); when it is down, it is named as well
# (live-no-answer); the offline checks run on each server's answers; a
# server whose NXDOMAIN lacks its NSEC3 proof is named (live-denial-unproven),
# and NSEC denials prove themselves as NSEC3 ones do. The MX hosts' TLSA
# sets are asked of every server: a damaged signature over one is named,
# and a host without TLSA (mx2) must have its denial proven.
. tests/lib.sh
. tests/integration/servers.sh
. tests/integration/tlsa.sh

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
@	MX	10 mail
@	MX	20 mx2
mail	A	192.0.2.25
_25._tcp.mail	TLSA	3 1 1 $(printf '%064d' 7)
mx2	A	192.0.2.26
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
T0=$NOW_EPOCH
expect_run first 0 "signed" "$ZW" --now $T0 run --config zw.conf
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
wait_served
cp $Z.signed ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
live both-serve 0 "^CHECK OK - $Z: 0 errors, 0 warnings" $((T0 + 60))
# Their NXDOMAIN and NODATA answers prove themselves (NSEC3): asked, no finding.
CHECKS=$((CHECKS + 1))
grep -q "live-denial" live.out && fail "both-serve: a denial finding: $(cat live.out)"
# ns2 leaves out the NSEC3 record that covers the name asked for a denial:
# its NXDOMAIN proves nothing (NSD then sends no NSEC3 record at all), and
# ns2 is named, not ns1.
H=$(ldns-nsec3-hash -t 0 -s '' "zonewarden-check-nx.$Z" | tr -d .)
COVER=$(awk -v z=".$Z." '$4 == "NSEC3" { sub(z, "", $1); print $1 }' $Z.signed | sort |
    awk -v h="$H" '$1 < h { c = $1 } { last = $1 } END { print (c != "" ? c : last) }')
grep -v "^$COVER\.$Z\.	" $Z.signed >ns2.zone
CHECKS=$((CHECKS + 1))
[ "$(grep -c . $Z.signed)" -eq $(($(grep -c . ns2.zone) + 2)) ] || fail "no NSEC3 record left out for $H"
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
live no-proof 2 "^error live-denial-unproven .*ns2.$Z. (127.0.0.2@$PORT, UDP): its NXDOMAIN for zonewarden-check-nx.$Z. type 1 does not prove itself" $((T0 + 60))
CHECKS=$((CHECKS + 1))
grep -q "ns1.$Z. (127.0.0.1@$PORT.*live-denial\|live-denial.*ns1.$Z." live.out && fail "no-proof: ns1 named: $(cat live.out)"
CHECKS=$((CHECKS + 1))
grep -q "^error live-denial-unproven .*ns2.$Z. (127.0.0.2@$PORT, UDP): its .* for _25._tcp.mx2.$Z. type 52 does not prove itself" live.out ||
	fail "no-proof: mx2's missing TLSA set not judged: $(cat live.out)"
# ns2 serves a damaged signature over mail's TLSA set: named, with the set.
awk 'BEGIN { OFS = "\t" } $1 ~ /^_25\._tcp\.mail\./ && $4 == "RRSIG" && $5 == "TLSA" {
	s = $NF; c = substr(s, 10, 1); $NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11) }
	{ print }' $Z.signed >ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
live tlsa-bogus 2 "^error sig-bogus _25._tcp.mail.$Z. TLSA: at ns2.$Z. (127.0.0.2@$PORT, UDP)" $((T0 + 60))
CHECKS=$((CHECKS + 1))
grep -q "sig-bogus.*ns1.$Z." live.out && fail "tlsa-bogus: ns1 named: $(cat live.out)"
cp $Z.signed ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
# A new version: NSD 1 takes it, NSD 2 does not.
printf 'new\tA\t192.0.2.81\n' >>$Z.zone
expect_run second 0 "signed" "$ZW" --now $((T0 + 120)) run --config zw.conf
wait_served
live stale 2 "^error live-serial-mismatch .*ns2.$Z. (127.0.0.2@$PORT, UDP) serves serial" $((T0 + 180))
CHECKS=$((CHECKS + 1))
grep -q "ns1.$Z. (127.0.0.1@$PORT.*serves serial" live.out && fail "stale: ns1 named: $(cat live.out)"
grep -q "ns2.$Z. (127.0.0.2@$PORT, TCP) serves serial" live.out || fail "stale: not checked over TCP: $(cat live.out)"
# NSD 2 down: named.
stop_nsd2
live down 2 "^error live-no-answer .*ns2.$Z. (127.0.0.2@$PORT, UDP): no answer" $((T0 + 240))
# Expired signatures as the servers serve them: found per server.
cp $Z.signed ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
live expired 2 "^error sig-expired .*at ns1.$Z. (127.0.0.1@$PORT, UDP)" $((T0 + 40 * 86400))
# The same zone with NSEC: its denials prove themselves too.
printf 'denial = nsec\n' >>zw.conf
expect_run nsec 0 "signed" "$ZW" --now $((T0 + 300)) run --config zw.conf
wait_served
cp $Z.signed ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
live nsec 0 "^CHECK OK - $Z: 0 errors, 0 warnings" $((T0 + 360))
finish
