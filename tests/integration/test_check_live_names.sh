# zonewarden check --live (issue 7) on a zone whose names make the denial
# and TLSA questions hard: a TLSA set reached through a CNAME, an MX host
# below a delegation, one that exists only through a wildcard, a TLSA set
# made by a wildcard, and a name that does not exist answered by the apex
# wildcard. Signed with NSEC3 and with NSEC, served by two NSD servers in a
# namespace: no finding (no false alarm); then a damaged signature over a
# wildcard's records, on the second server only, is named.
. tests/lib.sh
. tests/integration/servers.sh
. tests/integration/tlsa.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup dig; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
Z=example.test
T311=$(printf '%064d' 7)
cat >$Z.zone <<ZONE
\$ORIGIN $Z.
\$TTL 300
@	SOA	ns1 hostmaster 2026112201 7200 3600 864000 300
	NS	ns1
	NS	ns2
ns1	A	127.0.0.1
ns2	A	127.0.0.2
@	MX	10 mail
@	MX	20 mail2
@	MX	30 mail.sub
@	MX	40 mx3
@	MX	50 mailw
mail	A	192.0.2.25
_25._tcp.mail	TLSA	3 1 1 $T311
mail2	A	192.0.2.26
_25._tcp.mail2	CNAME	_dane.example.net.
sub	NS	ns.example.net.
*	A	192.0.2.30
mailw	A	192.0.2.27
*._tcp.mailw	TLSA	3 1 1 $T311
ZONE
cp $Z.zone $Z.signed
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
PORT=$NSD_PORT

# damage OWNER: ns2 serves the signed zone with OWNER's signatures damaged.
damage() {
	awk -v o="$1" 'BEGIN { OFS = "\t" } $1 == o && $4 == "RRSIG" {
		s = $NF; c = substr(s, 10, 1); $NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11) }
		{ print }' $Z.signed >ns2.zone
	CHECKS=$((CHECKS + 1))
	cmp -s $Z.signed ns2.zone && fail "damage $1: nothing changed"
	start_nsd2 $Z "$WORK/ns2.zone" || fail "NSD 2 did not start"
}

T0=$NOW_EPOCH
for denial in nsec3 nsec; do
	cat >zw.conf <<CONF
[zone $Z]
input = $Z.zone
output = $Z.signed
keydir = keys
signature-validity = 30d
denial = $denial
reload = nsd-control -c $WORK/nsd.conf reload %z
CONF
	T0=$((T0 + 600))
	expect_run "$denial: sign" 0 "signed" "$ZW" --now $T0 run --config zw.conf
	"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
	wait_served
	cp $Z.signed ns2.zone
	start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
	live "$denial: no false alarm" 0 "^CHECK OK - $Z: 0 errors, 0 warnings" $((T0 + 60))
	# The TLSA set a wildcard makes for mailw, damaged on ns2.
	damage "*._tcp.mailw.$Z."
	live "$denial: wildcard TLSA damaged" 2 "^error sig-bogus \*._tcp.mailw.$Z. TLSA: at ns2.$Z. (127.0.0.2@$PORT, UDP)" $((T0 + 60))
	# The apex wildcard that answers for the name that does not exist.
	damage "*.$Z."
	live "$denial: apex wildcard damaged" 2 "^error sig-bogus \*.$Z. A: at ns2.$Z. (127.0.0.2@$PORT, UDP)" $((T0 + 60))
	CHECKS=$((CHECKS + 1))
	grep -q "ns1.$Z." live.out && fail "$denial: ns1 named: $(cat live.out)"
done
finish
