# Bad input (issue 8: more than 60 cases): zone files, rdata, key files, config
# files, certificates and command lines; each case gets its exit code and
# message, writes nothing, and leaves earlier output (and keys) intact.
. tests/lib.sh

KEYS="$WORK/keys"
"$ZW" --now $NOW -q keys init example.com --keydir "$KEYS" --algorithm ed25519 || fail "keys init"
GOOD="$TESTDATA/../../zones/example/example.com.zone"
OUT="$WORK/out.signed"

# A previous good output must survive every failure unchanged.
"$ZW" --now $NOW sign example.com --in "$GOOD" --out "$OUT" --keydir "$KEYS" || fail "good sign"
sum_before=$(sha256sum "$OUT")

sign_case() {   # NAME EXIT PATTERN ZONEFILE [KEYDIR] [EXTRA OPTIONS...]
	name=$1 want=$2 pattern=$3 zone=$4 keys=${5:-$KEYS}
	# (a too-large shift ends a POSIX shell script, so count first)
	if [ $# -ge 5 ]; then shift 5; else shift $#; fi
	expect_run "$name" "$want" "$pattern" "$ZW" --now $NOW sign example.com \
	    --in "$zone" --out "$OUT" --keydir "$keys" "$@"
	[ "$(sha256sum "$OUT")" = "$sum_before" ] || fail "$name: previous output changed"
	ls "$WORK" | grep -q '\.tmp\.' && fail "$name: temporary file left behind"
	# A fresh output path must not appear at all.
	expect_run "$name (new output)" "$want" "" "$ZW" --now $NOW sign example.com \
	    --in "$zone" --out "$WORK/new.signed" --keydir "$keys" "$@"
	[ -e "$WORK/new.signed" ] && fail "$name: output written despite the error"
	return 0
}

B="$TESTDATA/bad"
# Zone files: exit 3, file and line named.
sign_case cname_and_other 3 "cname_and_other.zone:7: www.example.com. A: CNAME and other data" "$B/cname_and_other.zone"
sign_case out_of_zone 3 "out_of_zone.zone:6: www.example.net. is outside the zone" "$B/out_of_zone.zone"
sign_case occluded 3 "occluded.zone:8: host.sub.example.com. TXT: occluded by the delegation at sub.example.com." "$B/occluded.zone"
sign_case bad_ipv4 3 "bad_ipv4.zone:6: invalid IPv4 address" "$B/bad_ipv4.zone"
sign_case bad_ttl 3 "bad_ttl.zone:6:" "$B/bad_ttl.zone"
sign_case unknown_type 3 "unknown_type.zone:6:" "$B/unknown_type.zone"
sign_case unbalanced_paren 3 "unbalanced_paren.zone:" "$B/unbalanced_paren.zone"
sign_case bad_rfc3597 3 "bad_rfc3597.zone:6:" "$B/bad_rfc3597.zone"
sign_case ds_without_ns 3 "ds_without_ns.zone:6: sub.example.com. DS: DS at sub.example.com. without NS" "$B/ds_without_ns.zone"
sign_case dname_occludes 3 "dname_occludes.zone:7: x.old.example.com. A: occluded by the DNAME" "$B/dname_occludes.zone"
sign_case no_soa 3 "no_soa.zone: no SOA record at the zone apex" "$B/no_soa.zone"
sign_case binary 3 "binary.zone:1:" "$B/binary.zone"
sign_case missing_include 6 "does-not-exist.zone" "$B/missing_include.zone"
# Rdata in RFC 3597 form (\\# LEN HEX) that does not fit its type: refused
# where it is read, with file, line, owner and type, never at write time
# (nor written out for a name server to refuse).
n=0
while read -r type rdata; do
	n=$((n + 1))
	printf '$ORIGIN example.com.\n$TTL 300\n@ SOA ns h 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.1\nodd %s %s\n' \
	    "$type" "$rdata" >"$WORK/rdata$n.zone"
	sign_case "rdata_$type" 3 "rdata$n.zone:6: odd.example.com. $type: malformed rdata" "$WORK/rdata$n.zone"
done <<'TABLE'
A \# 3 c00002
AAAA \# 5 2001db8000
NS \# 1 05
CNAME \# 2 0161
MX \# 3 000a3f
MX \# 6 000a016100ff
TXT \# 2 0561
SRV \# 4 00010002
NAPTR \# 2 0001
HINFO \# 1 05
RP \# 1 00
CAA \# 1 00
SSHFP \# 1 01
DNSKEY \# 2 0101
TLSA \# 3 030101
CDS \# 2 0001
LOC \# 3 000000
SVCB \# 2 0001
URI \# 2 0001
NSEC3PARAM \# 2 0100
TABLE
sign_case missing_input 6 "nothere.zone" "$WORK/nothere.zone"

# Key folders: exit 4, the file named.
mkdir -p "$WORK/nokeys"
sign_case no_keys 4 "no usable key" "$GOOD" "$WORK/nokeys"
cp -r "$KEYS" "$WORK/k_mode"; chmod 644 "$WORK"/k_mode/*.private
sign_case private_readable 4 "k_mode/Kexample.com.+015+.*private" "$GOOD" "$WORK/k_mode"
cp -r "$KEYS" "$WORK/k_missing"; rm "$(ls "$WORK"/k_missing/*.private | head -n 1)"
sign_case private_missing 4 ".private" "$GOOD" "$WORK/k_missing"
cp -r "$KEYS" "$WORK/k_link"; p=$(ls "$WORK"/k_link/*.private | head -n 1)
mv "$p" "$WORK/elsewhere.private"; ln -s "$WORK/elsewhere.private" "$p"
sign_case private_symlink 4 "$(basename "$p")" "$GOOD" "$WORK/k_link"
cp -r "$KEYS" "$WORK/k_b64"; p=$(ls "$WORK"/k_b64/*.private | head -n 1)
sed -i 's/^PrivateKey: .*/PrivateKey: !!!notbase64/' "$p"
sign_case private_bad_base64 4 "$(basename "$p")" "$GOOD" "$WORK/k_b64"
cp -r "$KEYS" "$WORK/k_alg"; p=$(ls "$WORK"/k_alg/*.private | head -n 1)
sed -i 's/^Algorithm: .*/Algorithm: 13 (ECDSAP256SHA256)/' "$p"
sign_case private_wrong_algorithm 4 "$(basename "$p")" "$GOOD" "$WORK/k_alg"
cp -r "$KEYS" "$WORK/k_dir"; chmod 777 "$WORK/k_dir"
sign_case keydir_world_writable 4 "k_dir" "$GOOD" "$WORK/k_dir"

# Config files: exit 3, file, line and what is wrong; nothing signed, the
# earlier output and keys untouched.
cp -r "$KEYS" "$WORK/k_conf"
keys_before=$(cd "$WORK/k_conf" && sha256sum * | sha256sum)
# config_case NAME PATTERN LINE...: the lines after a good zone section.
config_case() {
	cc_name=$1 cc_pattern=$2
	shift 2
	{ printf '[zone example.com]\ninput = %s\noutput = %s\nkeydir = %s\n' \
	    "$GOOD" "$OUT" "$WORK/k_conf"; printf '%s\n' "$@"; } >"$WORK/$cc_name.conf"
	expect_run "config $cc_name" 3 "$cc_name.conf:$cc_pattern" "$ZW" --now $NOW run --config "$WORK/$cc_name.conf"
	CHECKS=$((CHECKS + 2))
	[ "$(sha256sum "$OUT")" = "$sum_before" ] || fail "config $cc_name: previous output changed"
	[ "$(cd "$WORK/k_conf" && sha256sum * | sha256sum)" = "$keys_before" ] || fail "config $cc_name: keys changed"
}
config_case unknown_key "5: unknown key 'frobnicate'" "frobnicate = 1"
config_case short_validity "5: signature-validity = 2: at least 1h" "signature-validity = 2"
config_case bad_denial "5: denial = nsec4: use nsec3 or nsec" "denial = nsec4"
config_case bad_port "5: tlsa = mail.example.com 99999 c.pem: PORT must be 1 to 65535" "tlsa = mail.example.com 99999 c.pem"
config_case bad_serial "5: serial = sometimes: use unixtime" "serial = sometimes"
config_case bad_algorithm "5: algorithm = dsa: not an algorithm we sign with" "algorithm = dsa"
config_case empty_reload "5: reload = : a command is needed" "reload = "
config_case twice "5: section \[zone example.com\] given twice (first on line 1)" "[zone example.com]"
config_case bad_scheme "5: key-scheme = ksk: use ksk-zsk or csk" "key-scheme = ksk"
printf 'input = x\n' >"$WORK/no_section.conf"
expect_run "config no_section" 3 "no_section.conf:1: 'input' before any section" "$ZW" run --config "$WORK/no_section.conf"
printf '[zone example.com\n' >"$WORK/open_header.conf"
expect_run "config open_header" 3 "open_header.conf:1: section header without ']'" "$ZW" run --config "$WORK/open_header.conf"

# Certificates, keys and CSRs for TLSA: exit 4, the file named.
: >"$WORK/empty.pem"
printf -- '-----BEGIN CERTIFICATE-----\nnotbase64!!\n-----END CERTIFICATE-----\n' >"$WORK/garbage.pem"
head -c 300 /dev/urandom >"$WORK/random.bin"
for f in empty.pem garbage.pem random.bin; do
	expect_run "cert $f" 4 "$f: no certificate in it (PEM or DER)" "$ZW" tlsa mail.example.com --cert "$WORK/$f"
done
expect_run "key garbage.pem" 4 "garbage.pem: no private or public key in it" "$ZW" tlsa mail.example.com --key "$WORK/garbage.pem"
expect_run "csr random.bin" 4 "random.bin: no certificate signing request in it" "$ZW" tlsa mail.example.com --csr "$WORK/random.bin"

# Command lines: exit 2.
sign_case nsec_and_opt_out 2 "excludes" "$GOOD" "$KEYS" --nsec --opt-out
sign_case bad_validity 2 "validity" "$GOOD" "$KEYS" --validity 14x
sign_case inception_alone 2 "go together" "$GOOD" "$KEYS" --inception 20261101000000
sign_case expired_window 2 "expiration" "$GOOD" "$KEYS" --inception 20261101000000 --expiration 20261102000000
sign_case bad_serial 2 "serial" "$GOOD" "$KEYS" --serial sometimes
sign_case bad_verify 2 "--verify" "$GOOD" "$KEYS" --verify some
sign_case bad_refresh 2 "--refresh" "$GOOD" "$KEYS" --refresh soon
expect_run bad_now 2 "--now" "$ZW" --now yesterday keys list example.com --keydir "$KEYS"
expect_run unknown_command 2 "unknown command" "$ZW" frobnicate
expect_run keys_init_again 4 "already" "$ZW" --now $NOW keys init example.com --keydir "$KEYS"
expect_run keys_init_bad_alg 2 "unknown algorithm" "$ZW" keys init example.org --keydir "$WORK/k2" --algorithm dsa
expect_run keys_ds_sha1 2 "SHA-1" "$ZW" keys ds example.com --keydir "$KEYS" --digest sha1
finish
