# The live DANE probe (issue 6): `zonewarden tlsa probe` against a real
# Postfix smtpd with STARTTLS on a loopback address, in a network namespace
# of its own, its TLSA records signed by zonewarden, served by NSD and
# validated by Unbound. Each case asserts the class a DANE sender would
# give and the monitoring exit code: an ECDSA and an RSA certificate both
# matching (each key type probed, the records labelled from the config);
# a record OpenSSL cannot use (counted, a warning); TLS from the start on
# port 465; a record that matches nothing (tlsa-invalid); STARTTLS off
# (starttls-not-supported); an expired certificate under a DANE-TA record
# (certificate-expired) and under a DANE-EE one (accepted, a warning); a
# trust anchor that does not match (dnssec-invalid); no server (unreachable);
# an SMTP banner on the TLS port (the handshake failure, said in words).
. tests/lib.sh
. tests/integration/servers.sh
. tests/integration/tlsa.sh
: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup unbound unbound-checkconf dig openssl postfix; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
Z=example.test
H=mail.$Z
MX=127.0.0.25
T0=$NOW_EPOCH
# openssl at a given time (certificates valid around the test clock, not the wall clock)
at() { t=$1; shift; ZW_FIXCLOCK=$t LD_PRELOAD="$ZW_FIXCLOCK_SO" openssl "$@" 2>>openssl.log; }
# leaf NAME ALG... : NAME.key and NAME.crt, issued by the test CA at time $LEAF_AT for $LEAF_DAYS days
leaf() {
	n=$1
	shift
	o genpkey "$@" -out $n.key
	at "$LEAF_AT" req -new -key $n.key -subj "/CN=$H" -out $n.csr
	printf 'subjectAltName=DNS:%s\n' "$H" >san.ext
	at "$LEAF_AT" x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -set_serial "$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')" \
	    -days "$LEAF_DAYS" -extfile san.ext -out $n.crt
	cat $n.crt ca.crt >$n.chain
}
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
at $((T0 - 86400)) req -x509 -new -key ca.key -subj "/CN=Test CA" -days 3650 -out ca.crt
LEAF_AT=$((T0 - 86400)) LEAF_DAYS=90
leaf ec -algorithm EC -pkeyopt ec_paramgen_curve:P-256
leaf rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048
leaf other -algorithm EC -pkeyopt ec_paramgen_curve:P-256
LEAF_AT=$((T0 - 10 * 86400)) LEAF_DAYS=2
leaf old -algorithm EC -pkeyopt ec_paramgen_curve:P-256
CHECKS=$((CHECKS + 1))
[ -s ec.chain ] && [ -s rsa.chain ] && [ -s old.chain ] || { fail "openssl: $(tail -n 3 openssl.log)"; finish; exit; }
CA211=$(spki311 ca.crt) OLD=$(spki311 old.crt) OTHER=$(spki311 other.crt)

cat >base.zone <<ZONE
\$ORIGIN $Z.
\$TTL 300
@	SOA	ns1 hostmaster 2026112201 7200 3600 1209600 300
	NS	ns1
	MX	10 mail
ns1	A	127.0.0.1
mail	A	$MX
ZONE
cp base.zone $Z.zone
cp base.zone $Z.signed
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
# zw.conf publishes the deployed certificates; hand.conf signs TLSA written in the zone file.
common="input = $Z.zone
output = $Z.signed
keydir = keys
reload = nsd-control -c $WORK/nsd.conf reload %z"
printf '[zone %s]\n%s\ntlsa = %s 25 ec.chain\ntlsa = %s 25 rsa.chain\n' $Z "$common" $H $H >zw.conf
printf '[zone %s]\n%s\n' $Z "$common" >hand.conf
STEP=0
# publish CONFIG [TLSA RDATA...]: the zone with these hand-written records at _25._tcp.mail, signed and served
publish() {
	conf=$1
	shift
	cp base.zone $Z.zone
	for r in "$@"; do printf '_%s._tcp.mail\tTLSA\t%s\n' "${PORT:-25}" "$r" >>$Z.zone; done
	STEP=$((STEP + 600))
	expect_run "publish-$STEP" 0 "" "$ZW" --now $((T0 + STEP)) run --config $conf
	wait_served
}
# probe LABEL EXIT PATTERN [ANCHOR]: the probe through a fresh Unbound; stdout must match PATTERN
probe() {
	start_unbound $Z "$WORK/${4:-ds}" $((T0 + STEP + 60)) || { fail "$1: Unbound did not start"; return 1; }
	CHECKS=$((CHECKS + 1))
	"$ZW" --now $((T0 + STEP + 60)) tlsa probe $H --port "${PORT:-25}" --resolver 127.0.0.1@$UNBOUND_PORT \
	    --config zw.conf --timeout 5 ${PROBE_JSON:+--json} >probe.out 2>probe.err
	got=$?
	if [ "$got" != "$2" ]; then
		fail "$1: exit $got, want $2: $(cat probe.out probe.err)"
	elif ! grep -q -- "$3" probe.out; then
		fail "$1: output lacks '$3': $(cat probe.out)"
	fi
	stop_unbound
}

# unbound_run LABEL EXIT PATTERN WHAT ARGS...: `zonewarden WHAT $Z --signed
# $Z.signed ARGS` through a fresh Unbound exits EXIT, its output (in
# WHAT.out) matching PATTERN.
unbound_run() {
	ur_label=$1 ur_want=$2 ur_pattern=$3 ur_what=$4
	shift 4
	start_unbound $Z "$WORK/ds" $((T0 + STEP + 60)) || { fail "$ur_label: Unbound did not start"; return 1; }
	CHECKS=$((CHECKS + 1))
	"$ZW" --now $((T0 + STEP + 60)) $ur_what $Z --signed $Z.signed "$@" \
	    --resolver 127.0.0.1@$UNBOUND_PORT >$ur_what.out 2>&1
	got=$?
	if [ "$got" != "$ur_want" ]; then
		fail "$ur_label: $ur_what exit $got, want $ur_want: $(cat $ur_what.out)"
	elif ! grep -q -- "$ur_pattern" $ur_what.out; then
		fail "$ur_label: $ur_what output lacks '$ur_pattern': $(cat $ur_what.out)"
	fi
	stop_unbound
}
# checkprobe LABEL EXIT PATTERN: check --probe; mailprobe: mail --live.
checkprobe() { unbound_run "$1" "$2" "$3" check --probe; }
mailprobe() { unbound_run "$1" "$2" "$3" mail --live; }

# Both certificates served, both records published by the config.
publish zw.conf
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
sed 's/ 13 2 [0-9A-Fa-f]*$/ 13 2 0000000000000000000000000000000000000000000000000000000000000000/' ds >wrong-ds
start_postfix $MX "$WORK/ec.key, $WORK/ec.chain, $WORK/rsa.key, $WORK/rsa.chain" || { fail "Postfix did not start"; finish; exit; }
probe both 0 "^DANE OK - $H port 25: 2 of 2 handshakes"
checkprobe check-both 1 "^CHECK WARNING - $Z: 0 errors, 1 warning"
mailprobe mail-both 1 "^mx [0-9]* $H.: .*DANE senders: deliver with verified TLS (probe: 2 handshakes, each matching a record); probed: $MX ECDSA ok, $MX RSA ok"
CHECKS=$((CHECKS + 1))
grep -q "^warning soa-expire" check.out || fail "check-both: the one warning is not the SOA expire: $(cat check.out)"
grep -q "probe" check.out && fail "check-both: a probe finding: $(cat check.out)"
CHECKS=$((CHECKS + 3))
grep -q "^$MX ECDSA: ok: matched (3 1 1 .*current" probe.out || fail "both: no ECDSA match labelled current: $(cat probe.out)"
grep -q "^$MX RSA: ok: matched (3 1 1 .*current" probe.out || fail "both: no RSA match labelled current: $(cat probe.out)"
[ "$(grep -c '^record 3 1 1 .*(current)' probe.out)" = 2 ] || fail "both: records not labelled: $(cat probe.out)"
PROBE_JSON=1 probe json 0 '"status": "OK"'
CHECKS=$((CHECKS + 1))
grep -q '"result": "ok"' probe.out && grep -q '"key_type": "RSA"' probe.out || fail "json: $(cat probe.out)"

# A record OpenSSL cannot use (selector 7) beside good ones: a warning.
EC=$(spki311 ec.crt) RSA=$(spki311 rsa.crt)
publish hand.conf "3 1 1 $EC" "3 1 1 $RSA" "3 7 1 $EC"
probe unusable 1 "^DANE WARNING - .* 2 of 2 handshakes"
CHECKS=$((CHECKS + 1))
grep -q "^  unusable: OpenSSL cannot use this record" probe.out || fail "unusable: not said: $(cat probe.out)"
# Port 465: TLS from the first byte, no STARTTLS.
PORT=465
publish hand.conf "3 1 1 $EC" "3 1 1 $RSA"
probe direct-tls 0 "^DANE OK - $H port 465: 2 of 2 handshakes"
PORT=25

# A record that matches neither certificate: tlsa-invalid.
publish hand.conf "3 1 1 $OTHER"
probe wrong-record 2 "^$MX ECDSA: tlsa-invalid"
checkprobe check-wrong-record 2 "^error probe-tlsa-invalid MX host $H., $MX ECDSA"
mailprobe mail-wrong-record 2 "^mx [0-9]* $H.: .*DANE senders: tlsa-invalid (probe of $MX (ECDSA)"

# STARTTLS off.
start_postfix $MX "$WORK/ec.key, $WORK/ec.chain" none || { fail "Postfix did not start"; finish; exit; }
probe no-starttls 2 "^$MX ECDSA: starttls-not-supported"

# An expired certificate: DANE-TA checks the dates, DANE-EE does not.
start_postfix $MX "$WORK/old.key, $WORK/old.chain" || { fail "Postfix did not start"; finish; exit; }
publish hand.conf "2 1 1 $CA211"
probe expired-ta 2 "^$MX ECDSA: certificate-expired"
publish hand.conf "3 1 1 $OLD"
probe expired-ee 1 "^$MX ECDSA: ok: matched, but the certificate has expired"

# A trust anchor that does not match our key: Unbound says SERVFAIL.
probe bogus 2 "^DANE CRITICAL .*dnssec-invalid: .*SERVFAIL" wrong-ds

# Nothing listening.
stop_postfix
probe unreachable 2 "^$MX ECDSA: unreachable"

# An SMTP banner where TLS should begin (port 465): the handshake fails,
# and says why in OpenSSL's words, not as a number.
PORT=465
publish hand.conf "3 1 1 $EC"
perl -MIO::Socket::INET -e '
	my $l = IO::Socket::INET->new(LocalAddr => "'$MX':465", Listen => 5,
	    ReuseAddr => 1) or die "listen: $!";
	print STDOUT "listening\n";
	STDOUT->flush;
	alarm 30;
	while (my $c = $l->accept) { print $c "220 mail.example.test ESMTP\r\n"; sleep 1; close $c }
' >plain.out 2>&1 &
plain=$!
i=0
until grep -q listening plain.out 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
probe plain-on-tls 2 "^$MX ECDSA: validation-failure: TLS handshake failed: wrong version number"
kill $plain 2>/dev/null
wait $plain 2>/dev/null
PORT=25
finish
