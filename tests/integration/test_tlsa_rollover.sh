# A certificate renewal with a new key, driven by `tlsa stage`, `tlsa ready`
# and `tlsa commit` (issue 6), against the real stack in a network namespace
# of its own: two NSD servers (127.0.0.1 and 127.0.0.2, the zone's NS set)
# serve what we sign, and Unbound, trusting our DS, validates the answers.
# The staged record is published beside the current one; `ready` stays
# false while a server does not serve it (or serves it with a broken
# signature) and until 2 x TLSA TTL + propagation delay after every server
# does; commit refuses until the new certificate is deployed; once it is,
# a real Postfix serves it and the live probe matches the staged (next)
# record, then after commit the current one; the old record goes one TTL
# after the commit. Unbound answers with AD throughout.
. tests/lib.sh
. tests/integration/servers.sh
. tests/integration/tlsa.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup unbound unbound-checkconf dig openssl postfix; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
Z=example.test
H=mail.$Z
cert() { o req -x509 -new -key "$2" -out "$1" -subj "/CN=$H" -days 30; }
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out old.key
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out new.key
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
cert old.crt old.key
cert new.crt new.key
cert rsa.crt rsa.key
CHECKS=$((CHECKS + 1))
[ -s old.crt ] && [ -s new.crt ] && [ -s rsa.crt ] || { fail "openssl: $(tail -n 3 openssl.log)"; finish; exit; }
OLD=$(spki311 old.crt) NEW=$(spki311 new.crt)
cp old.crt deployed.crt

cat >$Z.zone <<ZONE
\$ORIGIN $Z.
\$TTL 300
@	SOA	ns1 hostmaster 2026112201 7200 3600 1209600 300
	NS	ns1
	NS	ns2
	MX	10 mail
ns1	A	127.0.0.1
ns2	A	127.0.0.2
mail	A	127.0.0.25
ZONE
T0=$NOW_EPOCH
cp $Z.zone $Z.signed
cp $Z.zone ns2.zone
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
PORT=$NSD_PORT
cat >zw.conf <<CONF
[zone $Z]
input = $Z.zone
output = $Z.signed
keydir = keys
tlsa = $H 25 deployed.crt
tlsa-ttl = 5m
propagation-delay = 1m
resolver = 127.0.0.1@$PORT
reload = nsd-control -c $WORK/nsd.conf reload %z
CONF

# The second name server (servers.sh start_nsd2) serves ns2.zone, a copy
# updated by hand: it lags behind when the test wants it to.
expect_run first-run 0 "signed" "$ZW" --now $T0 run --config zw.conf
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
cp $Z.signed ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
wait_served
CHECKS=$((CHECKS + 1))
[ "$(tlsa_at)" = "$OLD" ] || fail "first run: _25 holds $(tlsa_at), want $OLD"
validated first $((T0 + 60)) 25 "$OLD"

# Nothing staged: ready says so, and is not 0.
expect_run nothing-staged 4 "nothing is staged for $H" "$ZW" --now $((T0 + 30)) tlsa ready $Z $H --config zw.conf
# An RSA key where the host has only an ECDSA certificate: refused.
expect_run wrong-kind 4 "no tlsa line of zone $Z for $H. has a certificate with an RSA key" \
    "$ZW" --now $((T0 + 40)) tlsa stage $Z $H --key rsa.key --config zw.conf
# The deployed key again (key reuse): nothing to stage.
expect_run same-key 0 "has this key already: nothing to stage" \
    "$ZW" --now $((T0 + 50)) tlsa stage $Z $H --cert old.crt --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q '"next"' keys/tlsa-state.json 2>/dev/null && fail "same key: something was staged"

# Stage the new certificate: published beside the current record at once.
T1=$((T0 + 60))
expect_run stage 0 "staged .*new.crt's record on 1 port" "$ZW" --now $T1 tlsa stage $Z $H --cert new.crt --config zw.conf
wait_served
CHECKS=$((CHECKS + 1))
[ "$(tlsa_at)" = "$(sorted "$OLD" "$NEW")" ] || fail "after stage: _25 holds $(tlsa_at), want $OLD $NEW"
validated staged $((T1 + 60)) 25 "$OLD" "$NEW"

# NSD 2 still serves the zone before the stage: not ready, and it is named.
expect_run ns2-stale 8 "ns2.$Z. (127.0.0.2@$PORT): does not serve the staged record yet" \
    "$ZW" --now $((T1 + 60)) tlsa ready $Z $H --config zw.conf
# NSD 2 serves it with a broken signature: not ready, DNSSEC-invalid.
awk -v o="_25._tcp.$H." 'tolower($1) == o && $4 == "RRSIG" && $5 == "TLSA" && !done {
	s = $NF; c = substr(s, 10, 1); $NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11); done = 1 } { print }' \
    $Z.signed >ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
expect_run ns2-bad-signature 8 "ns2.$Z. (127.0.0.2@$PORT): DNSSEC-invalid" \
    "$ZW" --now $((T1 + 90)) tlsa ready $Z $H --config zw.conf
# Both serve it: the wait for caches starts now (2 x 300 s + 60 s).
cp $Z.signed ns2.zone
start_nsd2 $Z "$WORK/ns2.zone" || { fail "NSD 2 did not start"; finish; exit; }
T2=$((T1 + 120))
expect_run served-now 8 "served everywhere since $T2; ready at" \
    "$ZW" --now $T2 tlsa ready $Z $H --config zw.conf
expect_run still-waiting 8 "not ready" "$ZW" --now $((T2 + 659)) tlsa ready $Z $H --config zw.conf
expect_run ready 0 "ready: served everywhere" "$ZW" --now $((T2 + 660)) tlsa ready $Z $H --config zw.conf

# Commit before the new certificate is deployed: refused, nothing changes.
cp $Z.signed before
expect_run commit-early 4 "has the staged key .* yet: deploy it first" \
    "$ZW" --now $((T2 + 700)) tlsa commit $Z $H --config zw.conf
CHECKS=$((CHECKS + 1))
cmp -s $Z.signed before || fail "a refused commit changed the signed zone"
expect_run still-ready 0 "ready" "$ZW" --now $((T2 + 710)) tlsa ready $Z $H --config zw.conf

# Deploy: the mail server presents the new certificate, which the probe
# finds matching the staged (next) record; then commit: it is current, and
# the old record stays one TTL.
cp new.crt deployed.crt
start_postfix 127.0.0.25 "$WORK/new.key, $WORK/deployed.crt" || { fail "Postfix did not start"; finish; exit; }
probed deployed $((T2 + 715)) next
T3=$((T2 + 720))
expect_run commit 0 "committed" "$ZW" --now $T3 tlsa commit $Z $H --config zw.conf
wait_served
CHECKS=$((CHECKS + 2))
[ "$(tlsa_at)" = "$(sorted "$OLD" "$NEW")" ] || fail "after commit: _25 holds $(tlsa_at), want $OLD $NEW"
grep -q '"next"' keys/tlsa-state.json && fail "after commit: still staged"
expect_run before-ttl 0 "" "$ZW" --now $((T3 + 299)) run --config zw.conf
CHECKS=$((CHECKS + 1))
[ "$(tlsa_at)" = "$(sorted "$OLD" "$NEW")" ] || fail "within a TTL of the commit: _25 holds $(tlsa_at)"
expect_run after-ttl 0 "signed" "$ZW" --now $((T3 + 300)) run --config zw.conf
wait_served
CHECKS=$((CHECKS + 1))
[ "$(tlsa_at)" = "$NEW" ] || fail "a TTL after the commit: _25 holds $(tlsa_at), want $NEW"
validated committed $((T3 + 360)) 25 "$NEW"
probed committed $((T3 + 360)) current
expect_run nothing-left 4 "nothing is staged" "$ZW" --now $((T3 + 400)) tlsa ready $Z $H --config zw.conf
finish
