# Independent verifiers accept every zone we sign: BIND's dnssec-verify and
# ldns-verify-zone, for every algorithm, NSEC, NSEC3 and NSEC3 opt-out, KSK+ZSK,
# CSK and two algorithms at once, over fixture zones holding delegations with
# glue and DS, wildcards and empty non-terminals, every record type we accept
# and a larger NSEC3 chain. A tampered zone must be refused by both (the
# negative control that shows these checks can fail).
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
for tool in dnssec-verify ldns-verify-zone; do
	command -v $tool >/dev/null || { echo "$tool not found: install bind9-utils and ldnsutils (see INSTALL)"; exit 1; }
done
# The verifiers' clock: one hour after signing.
AT_EPOCH=$((NOW_EPOCH + 3600))
AT=20261122010000

# verify NAME ORIGIN FILE: both verifiers accept FILE. (Our DS against the
# DNSKEY set is checked by test_resolve.sh, where it is Unbound's trust anchor:
# ldns-verify-zone only uses a DS while chasing over the network.)
# BIND_OPTS: more dnssec-verify options.
BIND_OPTS=""
verify() {
	v_name=$1 v_origin=$2 v_file=$3
	CHECKS=$((CHECKS + 1))
	if ! ldns-verify-zone -V 2 -t $AT "$v_file" >"$WORK/ldns.out" 2>&1; then
		fail "$v_name: ldns-verify-zone refuses it: $(tail -n 5 "$WORK/ldns.out")"
	fi
	CHECKS=$((CHECKS + 1))
	if ! ZW_FIXCLOCK=$AT_EPOCH LD_PRELOAD="$ZW_FIXCLOCK_SO" \
	    dnssec-verify -q $BIND_OPTS -o "$v_origin" "$v_file" >"$WORK/bind.out" 2>&1; then
		fail "$v_name: dnssec-verify refuses it: $(tail -n 5 "$WORK/bind.out")"
	fi
}

# refused NAME ORIGIN FILE: both verifiers refuse FILE.
refused() {
	CHECKS=$((CHECKS + 1))
	ldns-verify-zone -V 0 -t $AT "$3" >/dev/null 2>&1 &&
		fail "$1: ldns-verify-zone accepts it"
	CHECKS=$((CHECKS + 1))
	ZW_FIXCLOCK=$AT_EPOCH LD_PRELOAD="$ZW_FIXCLOCK_SO" \
	    dnssec-verify -q -o "$2" "$3" >/dev/null 2>&1 &&
		fail "$1: dnssec-verify accepts it"
	return 0
}

# keys ORIGIN ALG [--csk]: a key folder for ORIGIN (made once), its path in KEYDIR.
keys() {
	KEYDIR="$WORK/keys/$1-$2${3:-}"
	[ -d "$KEYDIR" ] && return 0
	"$ZW" --now $NOW -q keys init "$1" --keydir "$KEYDIR" --algorithm "$2" ${3:-} ||
		fail "keys init $1 $2 ${3:-}"
}

# sign_verify NAME ORIGIN ZONEFILE SIGN-OPTIONS...: sign with KEYDIR, then verify.
sign_verify() {
	sv_name=$1 sv_origin=$2 sv_zone=$3
	shift 3
	expect_run "$sv_name: sign" 0 "" "$ZW" --now $NOW sign "$sv_origin" \
	    --in "$sv_zone" --out "$WORK/$sv_name.signed" --keydir "$KEYDIR" "$@" || return 0
	verify "$sv_name" "$sv_origin" "$WORK/$sv_name.signed"
}

Z="$TESTDATA/zones"
mkdir -p "$WORK/keys"
for alg in ecdsap256sha256 ecdsap384sha384 ed25519 ed448 rsasha256; do
	for fixture in every_type:every-type.test wildcard_ent:wildcard-ent.test \
	    delegation_glue_ds:delegation.test nsec3_many:many.test; do
		file=${fixture%%:*} origin=${fixture#*:}
		keys $origin $alg
		sign_verify "$file-$alg-nsec3" $origin "$Z/$file.valid"
		sign_verify "$file-$alg-nsec" $origin "$Z/$file.valid" --nsec
		sign_verify "$file-$alg-optout" $origin "$Z/$file.valid" --opt-out
	done
done

# One combined signing key (CSK), every denial mode. dnssec-verify wants a
# key without the SEP flag signing the data unless told (-z) that the SEP
# flag does not decide the roles, as with any CSK (RFC 6781 §3.1).
keys delegation.test ecdsap256sha256 --csk
BIND_OPTS=-z
sign_verify delegation-csk-nsec3 delegation.test "$Z/delegation_glue_ds.valid"
sign_verify delegation-csk-nsec delegation.test "$Z/delegation_glue_ds.valid" --nsec
sign_verify delegation-csk-optout delegation.test "$Z/delegation_glue_ds.valid" --opt-out
BIND_OPTS=""

# Two algorithms at once (as during an algorithm rollover): RSA keys imported
# beside the ECDSA ones; every RRset is signed with both.
keys wildcard-ent.test ecdsap256sha256
keys wildcard-ent.test rsasha256
mkdir -p "$WORK/keys/two" && cp "$WORK/keys/wildcard-ent.test-ecdsap256sha256"/K* "$WORK/keys/two/"
chmod 700 "$WORK/keys/two"
expect_run "import rsa keys" 0 "" "$ZW" --now $NOW keys import wildcard-ent.test \
    --keydir "$WORK/keys/two" "$WORK/keys/wildcard-ent.test-rsasha256"/K*.private
KEYDIR="$WORK/keys/two"
sign_verify wildcard-two-algorithms wildcard-ent.test "$Z/wildcard_ent.valid"
CHECKS=$((CHECKS + 1))
[ "$(awk '$4 == "RRSIG" && $5 == "SOA"' "$WORK/wildcard-two-algorithms.signed" | wc -l)" = 2 ] ||
	fail "two algorithms: SOA does not carry one signature per algorithm"

# Negative controls, from a zone both verifiers accepted above.
good="$WORK/delegation_glue_ds-ecdsap256sha256-nsec3.signed"
# Data changed after signing.
sed 's/192\.0\.2\.1$/192.0.2.111/' "$good" >"$WORK/tampered.signed"
CHECKS=$((CHECKS + 1))
cmp -s "$good" "$WORK/tampered.signed" && fail "tamper: nothing changed"
refused tampered-data delegation.test "$WORK/tampered.signed"
# A hole in the NSEC3 chain.
awk '$4 == "NSEC3" && !done { done = 1; next } { print }' "$good" >"$WORK/holed.signed"
refused nsec3-hole delegation.test "$WORK/holed.signed"
# Verified at a time after the signatures expired.
CHECKS=$((CHECKS + 1))
ldns-verify-zone -V 0 -t 20270101000000 "$good" >/dev/null 2>&1 &&
	fail "expired: ldns-verify-zone accepts it"
CHECKS=$((CHECKS + 1))
ZW_FIXCLOCK=1798761600 LD_PRELOAD="$ZW_FIXCLOCK_SO" \
    dnssec-verify -q -o delegation.test "$good" >/dev/null 2>&1 &&
	fail "expired: dnssec-verify accepts it"
finish
