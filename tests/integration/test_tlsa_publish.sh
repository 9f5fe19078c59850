# TLSA publishing by `zonewarden run` (issue 6), against the real stack in a
# network namespace of its own: the tlsa lines of the config put the 3 1 1
# records of the deployed certificates (and of the next key) into the signed
# zone; NSD serves them and Unbound, trusting our DS, answers them with AD.
# A renewal that keeps the key changes nothing; one with the next key drops
# the old record; an unreadable certificate keeps the last published set;
# TLSA written by hand at those names is refused; many records, a warning.
. tests/lib.sh
. tests/integration/servers.sh
. tests/integration/tlsa.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup unbound dig openssl; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
Z=example.test
H=mail.$Z
key311() { o pkey -in "$1" -pubout -outform DER | o dgst -sha256 -r | awk '{ print $1 }'; }
cert() { # cert NAME KEYFILE: a self-signed certificate for the mail host with that key
	o req -x509 -new -key "$2" -out "$1" -subj "/CN=$H" -days 30
}
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out next.key
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
cert ec.crt ec.key
cert rsa.crt rsa.key
CHECKS=$((CHECKS + 1))
[ -s ec.crt ] && [ -s rsa.crt ] || { fail "openssl: $(tail -n 3 openssl.log)"; finish; exit; }
EC=$(spki311 ec.crt) RSA=$(spki311 rsa.crt) NEXT=$(key311 next.key)

# The operator's zone without its hand-written TLSA: zonewarden publishes them.
grep -v 'TLSA' "$TESTDATA/zones/resolve.valid" >$Z.zone
cat >zw.conf <<CONF
[zone $Z]
input = $Z.zone
output = $Z.signed
keydir = keys
tlsa = $H 25 ec.crt next.key
tlsa = $H 25 rsa.crt
tlsa = $H 465 ec.crt
tlsa-ttl = 5m
reload = nsd-control -c $WORK/nsd.conf reload %z
CONF

T0=$NOW_EPOCH
cp $Z.zone $Z.signed
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
expect_run first-run 0 "signed" "$ZW" --now $T0 run --config zw.conf
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
CHECKS=$((CHECKS + 4))
[ "$(tlsa_at 25)" = "$(sorted "$EC" "$RSA" "$NEXT")" ] || fail "port 25: $(tlsa_at 25), want $EC $RSA $NEXT"
[ "$(tlsa_at 465)" = "$EC" ] || fail "port 465: $(tlsa_at 465)"
awk -v o="_25._tcp.$H." 'tolower($1) == o && $4 == "TLSA" && $2 != 300 { bad = 1 } END { exit bad }' $Z.signed ||
	fail "the TLSA TTL is not tlsa-ttl (300)"
grep -q "^_25\._tcp\.$H\.[[:space:]].*RRSIG[[:space:]]*TLSA" $Z.signed || fail "the TLSA RRset is not signed"

wait_served
validated first $((T0 + 60)) 25 "$EC" "$RSA" "$NEXT"
validated first-465 $((T0 + 60)) 465 "$EC"

# A renewal that keeps the key: the same records, nothing to sign.
cert ec.crt ec.key
cp $Z.signed before
expect_run key-reuse 0 "nothing due" "$ZW" --now $((T0 + 3600)) run --config zw.conf
CHECKS=$((CHECKS + 1))
cmp -s $Z.signed before || fail "a renewal with the same key changed the signed zone"

# A renewal with the next key: its record was there already; the old one goes.
cert ec.crt next.key
expect_run new-key 0 "input changed" "$ZW" --now $((T0 + 7200)) run --config zw.conf
CHECKS=$((CHECKS + 2))
[ "$(tlsa_at 25)" = "$(sorted "$RSA" "$NEXT")" ] || fail "after the new key, port 25: $(tlsa_at 25)"
[ "$(tlsa_at 465)" = "$NEXT" ] || fail "after the new key, port 465: $(tlsa_at 465)"
wait_served
validated new-key $((T0 + 7260)) 25 "$RSA" "$NEXT"

# A certificate that cannot be read: a warning, and the last published set stays.
echo "not a certificate" >rsa.crt
expect_run unreadable 0 "the last published TLSA records stay" "$ZW" --now $((T0 + 10800)) run --config zw.conf
CHECKS=$((CHECKS + 1))
[ "$(tlsa_at 25)" = "$(sorted "$RSA" "$NEXT")" ] || fail "an unreadable certificate changed port 25: $(tlsa_at 25)"
cert rsa.crt rsa.key

# TLSA written by hand where a tlsa line publishes: refused, nothing written.
cp $Z.zone clean.zone
printf '_25._tcp.mail\tTLSA\t3 1 1 %s\n' "$EC" >>$Z.zone
cp $Z.signed before
expect_run by-hand 3 "example.test.zone:[0-9]*: .*remove it from the zone file" "$ZW" --now $((T0 + 14400)) run --config zw.conf
CHECKS=$((CHECKS + 1))
cmp -s $Z.signed before || fail "a refused run changed the signed zone"
cp clean.zone $Z.zone

# Many records at one name: a warning.
i=0
while [ $i -lt 7 ]; do
	o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out many$i.key
	o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out manynext$i.key
	cert many$i.crt many$i.key
	echo "tlsa = $H 443 many$i.crt manynext$i.key" >>zw.conf
	i=$((i + 1))
done
expect_run many 0 "14 records at _443._tcp.$H" "$ZW" --now $((T0 + 18000)) run --config zw.conf

# The config: a host outside the zone, a tlsa line under [defaults].
printf '[zone %s]\ninput = %s.zone\noutput = x.signed\ntlsa = mail.example.net 25 ec.crt\n' $Z $Z >bad1.conf
expect_run outside 3 "bad1.conf:4: tlsa: mail.example.net is not in the zone" "$ZW" config check --config bad1.conf
printf '[defaults]\ntlsa = %s 25 ec.crt\n[zone %s]\ninput = %s.zone\noutput = x.signed\n' $H $Z $Z >bad2.conf
expect_run in-defaults 3 "bad2.conf:2: tlsa belongs in a \[zone NAME\] section" "$ZW" config check --config bad2.conf
finish
