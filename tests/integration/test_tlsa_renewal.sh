# The whole certificate renewal through zonewarden-tlsa-hook (issue 6), as
# certbot, acme.sh and lego call it, with `--now` moving time, against NSD
# and a validating Unbound in a network namespace of their own. The first
# certificate waits like a new key (its record goes out first); a
# renewal that keeps the key is installed at once and changes no record; a
# renewal with a new key is staged: its record is published beside the old
# one while the old certificate keeps serving, and the timer's run installs
# it only once NSD serves the record and 2 x TTL + propagation delay have
# passed; the old record goes one TTL after that; a change of key type is
# refused. Unbound answers the TLSA query with AD at every step, and a real
# Postfix, reloaded by tlsa-reload, serves what is deployed: the live probe
# finds it matching after every renewal.
. tests/lib.sh
. tests/integration/servers.sh
. tests/integration/tlsa.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup unbound unbound-checkconf dig openssl postfix; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
HOOK=$(cd "$OLDPWD" && pwd)/tools/zonewarden-tlsa-hook
Z=example.test
H=mail.$Z
# lineage DIR KEYFILE [NAME]: a certbot-like live folder with a fresh certificate for NAME.
lineage() {
	mkdir -p "$1"
	cp "$2" "$1/privkey.pem"
	o req -x509 -new -key "$2" -out "$1/cert.pem" -subj "/CN=${3:-$H}" \
	    -addext "subjectAltName=DNS:${3:-$H}" -days 30
	cat "$1/cert.pem" >"$1/fullchain.pem"
}
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out a.key
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out b.key
lineage live1 a.key
lineage live2 a.key
lineage live3 b.key
lineage other b.key www.$Z
CHECKS=$((CHECKS + 1))
[ -s live1/fullchain.pem ] && [ -s live3/fullchain.pem ] || { fail "openssl: $(tail -n 3 openssl.log)"; finish; exit; }
A=$(spki311 live1/cert.pem) B=$(spki311 live3/cert.pem)
mkdir deploy

cat >$Z.zone <<ZONE
\$ORIGIN $Z.
\$TTL 300
@	SOA	ns1 hostmaster 2026112201 7200 3600 1209600 300
	NS	ns1
	MX	10 mail
ns1	A	127.0.0.1
mail	A	127.0.0.25
ZONE
cp $Z.zone $Z.signed
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
cat >zw.conf <<CONF
[zone $Z]
input = $Z.zone
output = $Z.signed
keydir = keys
tlsa = $H 25 deploy/mail.crt
tlsa-deploy = deploy/mail.crt deploy/mail.key
tlsa-reload = echo reloaded >>$WORK/reload.log && postfix -c $WORK/postfix/conf reload
tlsa-ttl = 5m
propagation-delay = 1m
resolver = 127.0.0.1@$NSD_PORT
reload = nsd-control -c $WORK/nsd.conf reload %z
CONF
export ZONEWARDEN="$ZW" ZONEWARDEN_CONFIG="$WORK/zw.conf"

reloads() { wc -l <reload.log 2>/dev/null | tr -d ' ' || echo 0; }
# deployed LABEL DIGEST: the installed certificate has that key, and its key file pairs with it.
deployed() {
	CHECKS=$((CHECKS + 2))
	[ "$(spki311 deploy/mail.crt)" = "$2" ] || fail "$1: deploy/mail.crt has key $(spki311 deploy/mail.crt), want $2"
	[ "$(o pkey -in deploy/mail.key -pubout | o pkey -pubin -outform DER | o dgst -sha256 -r | awk '{ print $1 }')" = "$2" ] ||
		fail "$1: deploy/mail.key does not pair with the certificate"
}
T0=$NOW_EPOCH
# The mail server reads what tlsa deploy installs (nothing yet: no TLS until then).
start_postfix 127.0.0.25 "$WORK/deploy/mail.key, $WORK/deploy/mail.crt" || { fail "Postfix did not start"; finish; exit; }
hook() { # LABEL EXIT PATTERN TIME ENV...: the hook as a client calls it
	h_label=$1 h_exit=$2 h_pattern=$3 h_time=$4
	shift 4
	expect_run "$h_label" "$h_exit" "$h_pattern" env "$@" ZONEWARDEN="$ZW --now $h_time" sh "$HOOK"
}

# The first certificate (certbot): nothing deployed yet, so its record goes
# out first (the zone signed for the first time), and the timer installs it.
hook first 0 "nothing deployed at .*mail.crt yet" $T0 RENEWED_LINEAGE="$WORK/live1"
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >ds
CHECKS=$((CHECKS + 2))
[ -e deploy/mail.crt ] && fail "first: installed before its record was safe"
[ "$(tlsa_at)" = "$A" ] || fail "first: _25 holds $(tlsa_at), want $A"
validated first $((T0 + 60)) 25 "$A"
expect_run first-timer 0 "" "$ZW" --now $((T0 + 60)) run --config zw.conf
CHECKS=$((CHECKS + 1))
[ -e deploy/mail.crt ] && fail "first: installed before caches had 2 x TTL"
expect_run first-ready 0 "installed .*mail.crt" "$ZW" --now $((T0 + 720)) run --config zw.conf
deployed first "$A"
CHECKS=$((CHECKS + 1))
[ "$(reloads)" = 1 ] || fail "first: the mail server was reloaded $(reloads) times, want 1"
probed first $((T0 + 780)) current

# A renewal that keeps the key (acme.sh): installed at once; the record stays.
cp $Z.signed before
hook key-reuse 0 "the same key: its TLSA record stays" $((T0 + 3600)) \
    CERT_FULLCHAIN_PATH="$WORK/live2/fullchain.pem" CERT_KEY_PATH="$WORK/live2/privkey.pem"
deployed key-reuse "$A"
CHECKS=$((CHECKS + 2))
cmp -s live2/cert.pem deploy/mail.crt || fail "key reuse: the renewed certificate is not the one installed"
[ "$(reloads)" = 2 ] || fail "key reuse: reloaded $(reloads) times, want 2"
expect_run key-reuse-run 0 "nothing due" "$ZW" --now $((T0 + 3660)) run --config zw.conf
probed key-reuse $((T0 + 3700)) current

# A renewal with a new key (lego): staged; the old certificate keeps serving.
T1=$((T0 + 7200))
hook new-key 0 "keeps serving until the new record" $T1 \
    LEGO_CERT_PATH="$WORK/live3/fullchain.pem" LEGO_CERT_KEY_PATH="$WORK/live3/privkey.pem"
deployed staged "$A"
CHECKS=$((CHECKS + 3))
[ "$(reloads)" = 2 ] || fail "new key: the mail server was reloaded"
[ "$(tlsa_at)" = "$(sorted "$A" "$B")" ] || fail "new key: _25 holds $(tlsa_at), want $A $B"
ls keys/tlsa-pending/*.key >/dev/null 2>&1 || fail "new key: no pending copy in keys/tlsa-pending"
validated staged $((T1 + 60)) 25 "$A" "$B"
probed old-still-served $((T1 + 60)) current
# The timer: served since its first look, ready 2 x 300 s + 60 s later.
T2=$((T1 + 120))
expect_run timer-1 0 "" "$ZW" --now $T2 run --config zw.conf
deployed waiting "$A"
expect_run timer-2 0 "" "$ZW" --now $((T2 + 659)) run --config zw.conf
deployed still-waiting "$A"
CHECKS=$((CHECKS + 1))
[ "$(reloads)" = 2 ] || fail "before ready: the mail server was reloaded"
T3=$((T2 + 660))
expect_run timer-ready 0 "installed .*mail.crt" "$ZW" --now $T3 run --config zw.conf
deployed ready "$B"
CHECKS=$((CHECKS + 4))
cmp -s live3/cert.pem deploy/mail.crt || fail "ready: the renewed certificate is not the one installed"
[ "$(reloads)" = 3 ] || fail "ready: reloaded $(reloads) times, want 3"
ls keys/tlsa-pending/*.key >/dev/null 2>&1 && fail "ready: the pending copies are still there"
[ "$(tlsa_at)" = "$(sorted "$A" "$B")" ] || fail "just after the install: _25 holds $(tlsa_at), want $A $B"
validated installed $((T3 + 60)) 25 "$A" "$B"
expect_run old-gone 0 "signed" "$ZW" --now $((T3 + 300)) run --config zw.conf
CHECKS=$((CHECKS + 1))
[ "$(tlsa_at)" = "$B" ] || fail "a TTL after the install: _25 holds $(tlsa_at), want $B"
validated old-gone $((T3 + 360)) 25 "$B"
probed new-key $((T3 + 360)) current

# A key that is not the certificate's: refused, nothing touched.
cp deploy/mail.crt crt.before
expect_run wrong-key 4 "not the key of the certificate" env ZONEWARDEN="$ZW --now $((T3 + 400))" \
    sh "$HOOK" "$WORK/live1/fullchain.pem" "$WORK/live3/privkey.pem"
CHECKS=$((CHECKS + 1))
cmp -s crt.before deploy/mail.crt || fail "wrong key: the deployed certificate changed"
# A certificate for a name no tlsa-deploy line serves: nothing to do.
expect_run other-name 0 "nothing to do" env ZONEWARDEN="$ZW --now $((T3 + 500))" \
    sh "$HOOK" "$WORK/other/fullchain.pem" "$WORK/other/privkey.pem"
# The lineage changes key type (RSA now): not deployed, and said so.
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out r.key
lineage live4 r.key
cp deploy/mail.crt crt.before
expect_run key-type-change 4 "a change of key type is not deployed" env ZONEWARDEN="$ZW --now $((T3 + 600))" \
    sh "$HOOK" "$WORK/live4/fullchain.pem" "$WORK/live4/privkey.pem"
CHECKS=$((CHECKS + 1))
cmp -s crt.before deploy/mail.crt || fail "key type change: the deployed certificate changed"
# No renewed certificate in the environment: a usage error.
expect_run no-env 2 "no renewed certificate" env -u RENEWED_LINEAGE sh "$HOOK"
finish
