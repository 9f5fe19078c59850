# zonewarden check (issue 7): each way a signed zone breaks its trust chain
# is found, with its code and the monitoring exit status (0 OK, 1 WARNING,
# 2 CRITICAL, 3 UNKNOWN); correct zones give no finding. The corpus: zones
# we sign (NSEC3, NSEC, opt-out, CSK, two algorithms, delegations with glue
# and DS, wildcard and empty non-terminals), zones dnssec-signzone and
# ldns-signzone sign, and ours broken afterwards by small text edits.
. tests/lib.sh

for tool in dnssec-signzone dnssec-dsfromkey ldns-signzone; do
	command -v $tool >/dev/null || { fail "$tool is not installed (bind9-utils, ldnsutils)"; finish; exit; }
done
: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
cd "$WORK" || exit 1
D=$OLDPWD/tests/data/zones
AT=$((NOW_EPOCH + 3600))      # the checks' clock: an hour after signing

# found NAME EXIT CODE ZONE FILE [OPTIONS...]: check exits EXIT and reports CODE
# ("-": no finding at all).
found() {
	f_name=$1 f_exit=$2 f_code=$3 f_zone=$4 f_file=$5
	shift 5
	CHECKS=$((CHECKS + 1))
	"$ZW" --now $AT check "$f_zone" --signed "$f_file" "$@" >check.out 2>check.err
	f_got=$?
	if [ "$f_got" != "$f_exit" ]; then
		fail "$f_name: exit $f_got, want $f_exit: $(head -n 6 check.out) $(cat check.err)"
	elif [ "$f_code" = - ]; then
		[ "$(wc -l <check.out)" = 1 ] || fail "$f_name: findings in a correct zone: $(cat check.out)"
	elif ! grep -q "^\(error\|warning\) $f_code " check.out; then
		fail "$f_name: no $f_code finding: $(head -n 8 check.out)"
	fi
}
keys() { # ORIGIN NAME [OPTIONS]: a key folder $WORK/k-NAME
	[ -d "k-$2" ] || "$ZW" --now $NOW -q keys init "$1" --keydir "k-$2" ${3:-} || fail "keys init $2"
}
sign() { # ORIGIN KEYNAME ZONEFILE OUT [OPTIONS]
	s_origin=$1 s_keys=$2 s_in=$3 s_out=$4
	shift 4
	"$ZW" --now $NOW sign "$s_origin" --in "$s_in" --out "$s_out" --keydir "k-$s_keys" \
	    --validity 30d "$@" 2>sign.err || fail "sign $s_out: $(cat sign.err)"
}

# --- correct zones: no finding ---------------------------------------------
keys delegation.test del
sign delegation.test del "$D/delegation_glue_ds.valid" nsec3.signed
sign delegation.test del "$D/delegation_glue_ds.valid" nsec.signed --nsec
sign delegation.test del "$D/delegation_glue_ds.valid" optout.signed --opt-out
"$ZW" --now $NOW keys ds delegation.test --keydir k-del | grep -v '^;' >ds
found nsec3 0 - delegation.test nsec3.signed --ds ds
found nsec 0 - delegation.test nsec.signed --ds ds
found opt-out 0 - delegation.test optout.signed
keys wildcard-ent.test csk --csk
sign wildcard-ent.test csk "$D/wildcard_ent.valid" csk.signed
found csk 0 - wildcard-ent.test csk.signed
keys wildcard-ent.test ec
keys wildcard-ent.test rsa "--algorithm rsasha256"
mkdir -p k-two && cp k-ec/K* k-two/ && chmod 700 k-two
"$ZW" --now $NOW -q keys import wildcard-ent.test --keydir k-two k-rsa/K*.private || fail "import"
sign wildcard-ent.test two "$D/wildcard_ent.valid" two.signed
found two-algorithms 0 - wildcard-ent.test two.signed
# Signed by others, with the same keys: BIND and ldns.
ZW_FIXCLOCK=$NOW_EPOCH LD_PRELOAD="$ZW_FIXCLOCK_SO" dnssec-signzone -q -S -K k-del -d . -3 - -H 0 \
    -e +2592000 -o delegation.test -f bind.signed "$D/delegation_glue_ds.valid" >bind.log 2>&1 ||
	fail "dnssec-signzone: $(tail -n 3 bind.log)"
found bind-signed 0 - delegation.test bind.signed --ds ds
ldns-signzone -n -t 0 -s '' -i $(date -u -d @$((NOW_EPOCH - 3600)) +%Y%m%d%H%M%S) \
    -e $(date -u -d @$((NOW_EPOCH + 30 * 86400)) +%Y%m%d%H%M%S) -f ldns.signed \
    "$D/delegation_glue_ds.valid" $(ls k-del/K*.private | sed 's/\.private$//') >ldns.log 2>&1 ||
	fail "ldns-signzone: $(tail -n 3 ldns.log)"
found ldns-signed 0 - delegation.test ldns.signed --ds ds
# ldns keeps NSEC3 records for insecure delegations under opt-out: allowed (RFC 5155 section 6).
ldns-signzone -n -p -t 0 -s '' -i $(date -u -d @$((NOW_EPOCH - 3600)) +%Y%m%d%H%M%S) \
    -e $(date -u -d @$((NOW_EPOCH + 30 * 86400)) +%Y%m%d%H%M%S) -f ldns-optout.signed \
    "$D/delegation_glue_ds.valid" $(ls k-del/K*.private | sed 's/\.private$//') >ldns.log 2>&1 ||
	fail "ldns-signzone -p: $(tail -n 3 ldns.log)"
found ldns-opt-out 0 - delegation.test ldns-optout.signed --ds ds
# ... but a name that needs a record still needs one.
awk '$4 == "NSEC3" && !d { d = 1; next } { print }' ldns-optout.signed >ldns-hole
found ldns-opt-out-hole 2 chain-broken delegation.test ldns-hole

# --- time -------------------------------------------------------------------
AT0=$AT
AT=$((NOW_EPOCH + 40 * 86400)); found expired 2 sig-expired delegation.test nsec3.signed
AT=$((NOW_EPOCH - 2 * 86400)); found not-yet-valid 2 sig-not-yet-valid delegation.test nsec3.signed
# Expirations are spread over the last tenth (27 to 30 days): at day 25,
# within --warn 3d of the earliest (less its TTL).
AT=$((NOW_EPOCH + 25 * 86400)); found expiring 1 sig-expiring delegation.test nsec3.signed --warn 3d
AT=$AT0

# --- broken by hand ---------------------------------------------------------
# edit NAME AWK: nsec3.signed through an awk program, into NAME.
edit() { awk "$2" nsec3.signed >"$1"; CHECKS=$((CHECKS + 1)); cmp -s nsec3.signed "$1" && fail "$1: the edit did not take"; }
edit flipped '!d && $1 == "www.delegation.test." && $4 == "RRSIG" && $5 == "A" {
	s = $NF; c = substr(s, 20, 1); $NF = substr(s, 1, 19) (c == "A" ? "B" : "A") substr(s, 21); d = 1 } { print }'
found bit-flipped 2 sig-bogus delegation.test flipped
edit changed '$1 == "www.delegation.test." && $4 == "A" { $5 = "192.0.2.81" } { print }'
found changed-after-signing 2 sig-bogus delegation.test changed
edit ttl '$1 == "www.delegation.test." && $4 == "A" { $2 = 600 } { print }'
found ttl-changed 2 sig-ttl-mismatch delegation.test ttl
edit unsigned '!($1 == "www.delegation.test." && $4 == "RRSIG" && $5 == "A") { print }'
found unsigned 2 rrset-unsigned delegation.test unsigned
# The ZSK gone from the DNSKEY set: its signatures name a key that is not there.
zsk=$(awk '$4 == "DNSKEY" && $5 == 256 { print $NF; exit }' nsec3.signed)
edit nozsk -v "z=$zsk" 2>/dev/null || awk -v z="$zsk" '!($4 == "DNSKEY" && $NF == z) { print }' nsec3.signed >nozsk
found key-not-in-dnskey 2 sig-unknown-key delegation.test nozsk
# Glue signed: a copy of a signature placed on glue.
awk '{ print } $1 == "ns1.secure.delegation.test." && $4 == "A" && !d {
	print "ns1.secure.delegation.test.\t3600\tIN\tRRSIG\tA 13 4 3600 20261222000000 20261121230000 1 delegation.test. AAAA"; d = 1 }' \
    nsec3.signed >glue
found signed-glue 2 sig-on-glue delegation.test glue
# A hole in the NSEC3 chain.
awk '$4 == "NSEC3" && !d { d = 1; next } { print }' nsec3.signed >hole
found chain-hole 2 chain-broken delegation.test hole
# An NSEC3 record made with other parameters than NSEC3PARAM says.
awk '$4 == "NSEC3" && !d { $7 = 5; d = 1 } { print }' nsec3.signed >params
found nsec3-params 2 chain-broken delegation.test params
# One algorithm of two missing from an RRset.
awk '!d && $4 == "RRSIG" && $5 == "A" && $6 == 8 { d = 1; next } { print }' two.signed >onealg
found algorithm-incomplete 2 alg-incomplete wildcard-ent.test onealg

# --- the parent's DS --------------------------------------------------------
awk '{ $NF = substr($NF, 1, length($NF) - 1) (substr($NF, length($NF)) == "0" ? "1" : "0"); print }' ds >ds-wrong
found ds-wrong-digest 2 ds-wrong-digest delegation.test nsec3.signed --ds ds-wrong
awk '{ $5 = 1; print }' ds >ds-unknown
found ds-no-key 2 ds-no-match delegation.test nsec3.signed --ds ds-unknown
{ cat ds; awk '{ $5 = 1; print }' ds; } >ds-extra
found ds-extra 1 ds-no-key delegation.test nsec3.signed --ds ds-extra
{ cat ds; awk '{ $5 = 1; $6 = 8; print }' ds; } >ds-alg
found ds-algorithm-without-keys 2 ds-alg-unsigned delegation.test nsec3.signed --ds ds-alg
: >ds-empty
found no-ds 1 ds-none delegation.test nsec3.signed --ds ds-empty
ksk=$(ls k-del/K*.key | while read -r f; do grep -q 'DNSKEY.257' "$f" && echo "$f"; done | head -n 1)
zskf=$(ls k-del/K*.key | while read -r f; do grep -q 'DNSKEY.256' "$f" && echo "$f"; done | head -n 1)
{ cat ds; dnssec-dsfromkey -1 "$ksk"; } >ds-sha1
found ds-sha1 1 ds-sha1 delegation.test nsec3.signed --ds ds-sha1
dnssec-dsfromkey -2 "$zskf" >ds-zsk
found ds-to-zsk 2 ds-key-signs-nothing delegation.test nsec3.signed --ds ds-zsk

# --- NSEC3 parameters (RFC 9276) --------------------------------------------
ldns-signzone -n -t 5 -s abcd -i $(date -u -d @$((NOW_EPOCH - 3600)) +%Y%m%d%H%M%S) \
    -e $(date -u -d @$((NOW_EPOCH + 30 * 86400)) +%Y%m%d%H%M%S) -f iter.signed \
    "$D/delegation_glue_ds.valid" $(ls k-del/K*.private | sed 's/\.private$//') >ldns.log 2>&1 ||
	fail "ldns-signzone: $(tail -n 3 ldns.log)"
found nsec3-iterations 1 nsec3-iterations delegation.test iter.signed
found nsec3-salt 1 nsec3-salt delegation.test iter.signed

# --- TLSA: the deployed certificate, PKIX usages, MX hosts -----------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout m.key -out m.crt \
    -subj /CN=mail.mx.test -days 30 >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout x.key -out x.crt \
    -subj /CN=mail.mx.test -days 30 >/dev/null 2>&1
M311=$("$ZW" tlsa mail.mx.test --cert m.crt | awk '{ print $NF }')
# mxzone FILE MX-LINES TLSA-LINES: a small mail zone, signed into FILE.
mxzone() {
	printf '$ORIGIN mx.test.\n$TTL 300\n@ SOA ns h 1 7200 3600 864000 300\n@ NS ns\nns A 192.0.2.1\nmail A 192.0.2.25\nmail2 A 192.0.2.26\n%s\n%s\n' \
	    "$2" "$3" >mx.zone
	sign mx.test mx mx.zone "$1"
}
keys mx.test mx
mxzone mx-good.signed "@ MX 10 mail" "_25._tcp.mail TLSA 3 1 1 $M311"
found tlsa-matches 0 - mx.test mx-good.signed --cert mail.mx.test=m.crt
found tlsa-no-match 2 tlsa-no-match mx.test mx-good.signed --cert mail.mx.test=x.crt
mxzone mx-case.signed "@ MX 10 mail" "_25._TCP.Mail TLSA 3 1 1 $M311"
found tlsa-any-case 2 tlsa-no-match mx.test mx-case.signed --cert mail.mx.test=x.crt
# An MX whose rdata is not a name: the file cannot be checked (UNKNOWN),
# and the line is named.
{ cat mx-good.signed; printf 'odd.mx.test.\t300\tIN\tMX\t\\# 3 000a3f\n'; } >mx-odd.signed
expect_run odd-rdata 3 "mx-odd.signed:[0-9]*: odd.mx.test. MX: malformed rdata" \
    "$ZW" --now $AT check mx.test --signed mx-odd.signed
CHECKS=$((CHECKS + 1))
grep -q "^CHECK UNKNOWN - mx.test: .*malformed rdata" "$WORK/stdout" || fail "odd-rdata: no UNKNOWN line: $(cat "$WORK/stdout")"
# A TLSA at _25x._tcp added to a signed zone: reported unsigned, and not
# taken for port 25.
{ cat mx-good.signed; printf '_25x._tcp.mail.mx.test.\t300\tIN\tTLSA\t1 1 1 %s\n' "$M311"; } >mx-odd.signed
found odd-port 2 rrset-unsigned mx.test mx-odd.signed
CHECKS=$((CHECKS + 1))
grep -q "tlsa-pkix-usage" check.out && fail "odd-port: _25x._tcp taken for port 25"
mxzone mx-pkix.signed "@ MX 10 mail" "_25._tcp.mail TLSA 1 1 1 $M311
_25._tcp.mail TLSA 3 1 1 $M311"
found tlsa-pkix-usage 1 tlsa-pkix-usage mx.test mx-pkix.signed
mxzone mx-half.signed "@ MX 10 mail
@ MX 20 mail2" "_25._tcp.mail TLSA 3 1 1 $M311"
found mx-without-tlsa 1 mx-without-tlsa mx.test mx-half.signed

# --- what cannot be checked, and the JSON form ------------------------------
found unreadable 3 - delegation.test nothere.signed 2>/dev/null || true
"$ZW" --now $AT check delegation.test --signed flipped --json >check.json
CHECKS=$((CHECKS + 1))
grep -q '"status": "CRITICAL"' check.json && grep -q '"code": "sig-bogus"' check.json ||
	fail "json: $(head -n 12 check.json)"
finish
