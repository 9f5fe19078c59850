# Resolution end to end: sign tests/data/zones/resolve.valid, serve it with NSD,
# and resolve through a validating Unbound whose only trust anchor is the DS
# that `keys ds` printed. Each denial mode (NSEC3, NSEC, NSEC3 opt-out) must give
# authenticated answers (AD), names and types that do not exist included; a
# changed record and keys the anchor does not name must give SERVFAIL.
. tests/lib.sh
. tests/integration/servers.sh

for tool in nsd nsd-checkzone unbound unbound-checkconf dig; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done

Z=example.test
FIXTURE="$TESTDATA/zones/resolve.valid"
KEYS="$WORK/keys"
DS="$WORK/ds"
# The TLSA record as the fixture has it (the test must not repeat the digest).
TLSA_RDATA=$(awk '$2 == "TLSA" { print $3, $4, $5, $6 }' "$FIXTURE")
CHECKS=$((CHECKS + 1))
[ -n "$TLSA_RDATA" ] || fail "no TLSA record in $FIXTURE"

expect_run "keys init" 0 "" "$ZW" --now $NOW -q keys init $Z --keydir "$KEYS" \
    --algorithm ecdsap256sha256
CHECKS=$((CHECKS + 1))
[ "$(cat "$KEYS"/*.key | grep -c 'DNSKEY[[:space:]]*25[67] 3 13 ')" = 2 ] ||
    fail "keys init: want a KSK and a ZSK, algorithm 13: $(cat "$KEYS"/*.key)"
expect_run "keys ds" 0 "" "$ZW" --now $NOW keys ds $Z --keydir "$KEYS"
cp "$WORK/stdout" "$DS"
CHECKS=$((CHECKS + 1))
grep -q "^$Z\.[[:space:]].*[[:space:]]DS[[:space:]]" "$DS" || fail "keys ds printed no DS: $(cat "$DS")"

# ask LABEL PORT NAME TYPE: dig's output in $WORK/answer; false if no reply came.
ask() {
	if ! dig_at "$2" "$3" "$4" >"$WORK/answer" 2>&1; then
		fail "$1: no reply for $3 $4: $(cat "$WORK/answer")"
		return 1
	fi
}

# serve FILE: NSD serving FILE and a fresh Unbound (empty cache) in front of it.
serve() {
	stop_unbound
	start_nsd $Z "$1" || { fail "NSD did not start for $1"; return 1; }
	start_unbound $Z "$DS" || { fail "Unbound did not start"; return 1; }
}

# sign_zone LABEL FILE KEYDIR [SIGN OPTIONS...]: sign the fixture and have NSD's
# own checker accept the result.
sign_zone() {
	sz_label=$1 sz_out=$2 sz_keys=$3
	shift 3
	expect_run "$sz_label: sign" 0 "" "$ZW" --now $NOW sign $Z --in "$FIXTURE" \
	    --out "$sz_out" --keydir "$sz_keys" "$@" || return 1
	expect_run "$sz_label: nsd-checkzone" 0 "" nsd-checkzone $Z "$sz_out"
}

# resolve_mode MODE DENIAL [SIGN OPTIONS...]: DENIAL is the record type that
# must prove non-existence in the signed zone (NSEC or NSEC3).
resolve_mode() {
	rm_mode=$1 rm_denial=$2
	shift 2
	rm_zone="$WORK/$rm_mode.signed"
	sign_zone "$rm_mode" "$rm_zone" "$KEYS" "$@" || return 1
	CHECKS=$((CHECKS + 1))
	awk -v t="$rm_denial" '$4 == t { n++ } END { exit n == 0 }' "$rm_zone" ||
	    fail "$rm_mode: no $rm_denial records in the signed zone"

	# RFC 5155 §9.2: no AD bit on a response whose closest encloser proof
	# rests on an NSEC3 record with the Opt-Out bit covering the next closer
	# name (an insecure delegation could exist there). With opt-out, that is
	# the DS NODATA of the delegation left out of the chain (§7.2.4, §8.6)
	# and, since zonewarden sets Opt-Out on every NSEC3 of an opt-out chain,
	# also the name error (§8.4) and both wildcard answers (§8.7, §8.8):
	# right rcode and data, no AD. Names with an NSEC3 of their own (www,
	# ent) still get a secure NODATA.
	rm_covered=ad
	if [ "$rm_mode" = nsec3-opt-out ]; then
		rm_covered=noad
		CHECKS=$((CHECKS + 1))
		awk '$4 == "NSEC3" && $5 == 1 && $6 != 1 { bad++ } END { exit bad > 0 }' "$rm_zone" ||
		    fail "$rm_mode: an NSEC3 record without the Opt-Out flag"
	fi

	serve "$rm_zone" || return 1
	expect_answer "$rm_mode" $Z SOA NOERROR ad \
	    "$(awk '$4 == "SOA" { $1 = $2 = $3 = $4 = ""; print }' "$rm_zone")"
	expect_answer "$rm_mode" $Z A NOERROR ad 192.0.2.1
	expect_answer "$rm_mode" mail.$Z A NOERROR ad 192.0.2.25
	expect_answer "$rm_mode" _25._tcp.mail.$Z TLSA NOERROR ad "$TLSA_RDATA"
	expect_answer "$rm_mode" www.$Z AAAA NOERROR ad 2001:db8::80
	expect_answer "$rm_mode" www.$Z A NOERROR ad 192.0.2.80
	expect_answer "$rm_mode" secure.$Z DS NOERROR ad \
	    "4711 13 2 CE506B0D217CEEB8D7AC3A319D472C941070DA9B0DB06D84197A05CBF3B93453"
	# Denials: NODATA at a name, at an empty non-terminal, at the insecure
	# delegation (no DS); a name error; a wildcard expansion and its NODATA.
	expect_answer "$rm_mode" www.$Z MX NOERROR ad -
	expect_answer "$rm_mode" ent.$Z A NOERROR ad -
	expect_answer "$rm_mode" unsigned.$Z DS NOERROR $rm_covered -
	expect_answer "$rm_mode" nothere.$Z A NXDOMAIN $rm_covered -
	expect_answer "$rm_mode" foo.wild.$Z A NOERROR $rm_covered 192.0.2.99
	expect_answer "$rm_mode" foo.wild.$Z MX NOERROR $rm_covered -
}

# expect_bogus LABEL NAME TYPE: Unbound answers SERVFAIL and logs a validation failure.
expect_bogus() {
	expect_answer "$1" "$2" "$3" SERVFAIL noad - || return 1
	CHECKS=$((CHECKS + 1))
	grep -q "validation failure <$2\. $3 IN>" "$WORK/unbound.log" ||
	    fail "$1: $2 $3: SERVFAIL but no validation failure logged: $(server_log unbound)"
}

resolve_mode nsec3 NSEC3
resolve_mode nsec NSEC --nsec
resolve_mode nsec3-opt-out NSEC3 --opt-out

# Negative control 1: one address changed after signing. NSD serves the
# changed record, Unbound must refuse it and still accept the rest.
TAMPERED="$WORK/tampered.signed"
sed 's/^\(www\.example\.test\.[[:space:]].*[[:space:]]A[[:space:]]*\)192\.0\.2\.80$/\1192.0.2.81/' \
    "$WORK/nsec3.signed" >"$TAMPERED"
CHECKS=$((CHECKS + 1))
if [ "$(grep -c '192\.0\.2\.81$' "$TAMPERED")" != 1 ] || grep -q '192\.0\.2\.80$' "$TAMPERED"; then
	fail "tampered: the www A record was not changed: $(grep -n 'www\.' "$TAMPERED")"
fi
if serve "$TAMPERED"; then
	CHECKS=$((CHECKS + 1))
	ask "tampered: NSD" "$NSD_PORT" www.$Z A &&
	    { grep -q '[[:space:]]A[[:space:]]*192\.0\.2\.81$' "$WORK/answer" ||
	    fail "tampered: NSD does not serve the changed address: $(cat "$WORK/answer")"; }
	expect_bogus tampered www.$Z A
	expect_answer tampered www.$Z AAAA NOERROR ad 2001:db8::80
fi

# Negative control 2: a zone signed with keys the trust anchor does not name.
OTHER="$WORK/other-keys"
expect_run "other keys: keys init" 0 "" "$ZW" --now $NOW -q keys init $Z \
    --keydir "$OTHER" --algorithm ecdsap256sha256
if sign_zone "other keys" "$WORK/other.signed" "$OTHER" && serve "$WORK/other.signed"; then
	expect_bogus "other keys" $Z SOA
	expect_bogus "other keys" www.$Z A
fi

stop_unbound
stop_nsd
finish
