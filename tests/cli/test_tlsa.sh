# zonewarden tlsa: TLSA records equal to what the openssl command line
# computes, for RSA, ECDSA and Ed25519 end entities, from a certificate
# (PEM, DER, a full chain, a file with the key first), the private key, the
# public key and a CSR alike; DANE-TA from the chain's issuers; clear
# errors and exit codes for what cannot be done.
. tests/lib.sh

command -v openssl >/dev/null 2>&1 || { fail "openssl is not installed"; finish; exit; }
cd "$WORK" || exit 1
o() { openssl "$@" 2>>openssl.log; }

# A root CA (RSA), an intermediate (ECDSA) it signs, and end entities of
# each key type that the intermediate signs.
o req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.crt -subj /CN=root -days 30 \
    -addext basicConstraints=critical,CA:TRUE >/dev/null
o req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -out int.csr -subj /CN=int >/dev/null
printf 'basicConstraints=critical,CA:TRUE\n' >ca.ext
o x509 -req -in int.csr -CA root.crt -CAkey root.key -CAcreateserial -out int.crt -days 30 -extfile ca.ext >/dev/null
for kt in rsa ec ed25519; do
	case $kt in
	rsa) o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $kt.key ;;
	ec) o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $kt.key ;;
	ed25519) o genpkey -algorithm ED25519 -out $kt.key ;;
	esac
	o req -new -key $kt.key -out $kt.csr -subj /CN=mail.example.com
	o x509 -req -in $kt.csr -CA int.crt -CAkey int.key -CAcreateserial -out $kt.crt -days 30 >/dev/null
	cat $kt.crt int.crt >$kt.fullchain
	cat $kt.key $kt.crt int.crt >$kt.combined
	o x509 -in $kt.crt -outform DER -out $kt.der
	o pkey -in $kt.key -pubout -out $kt.pub
done
CHECKS=$((CHECKS + 1))
[ -s ed25519.crt ] && [ -s rsa.fullchain ] || { fail "openssl could not make the test PKI: $(tail -n 5 openssl.log)"; finish; exit; }

spki() { o x509 -in "$1" -pubkey -noout | o pkey -pubin -outform DER; }
want() { # want HASH (sha256|sha512) < DER
	o dgst -"$1" -r | awk '{ print $1 }'
}
# tlsa_hex ARGS...: the digests zonewarden prints, one per line.
tlsa_hex() {
	"$ZW" -q tlsa mail.example.com "$@" 2>"$WORK/stderr" | awk '{ print $NF }'
}
same() { # same NAME GOT WANT
	CHECKS=$((CHECKS + 1))
	[ -n "$3" ] && [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

for kt in rsa ec ed25519; do
	w311=$(spki $kt.crt | want sha256)
	w312=$(spki $kt.crt | want sha512)
	w301=$(o x509 -in $kt.crt -outform DER | want sha256)
	w211=$(spki int.crt | want sha256)
	w212=$(spki int.crt | want sha512)
	same "$kt 3 1 1 (PEM certificate)" "$(tlsa_hex --cert $kt.crt)" "$w311"
	same "$kt 3 1 1 (DER certificate)" "$(tlsa_hex --cert $kt.der)" "$w311"
	same "$kt 3 1 1 (full chain)" "$(tlsa_hex --cert $kt.fullchain)" "$w311"
	same "$kt 3 1 1 (key, then chain, in one file)" "$(tlsa_hex --cert $kt.combined)" "$w311"
	same "$kt 3 1 1 (private key)" "$(tlsa_hex --key $kt.key)" "$w311"
	same "$kt 3 1 1 (public key)" "$(tlsa_hex --key $kt.pub)" "$w311"
	same "$kt 3 1 1 (CSR)" "$(tlsa_hex --csr $kt.csr)" "$w311"
	same "$kt 3 1 2" "$(tlsa_hex --cert $kt.crt --params 3,1,2)" "$w312"
	same "$kt 3 1 2 (key)" "$(tlsa_hex --key $kt.key --params 312)" "$w312"
	same "$kt 3 0 1" "$(tlsa_hex --cert $kt.crt --params '3 0 1')" "$w301"
	same "$kt 2 1 1 (the issuer)" "$(tlsa_hex --cert $kt.fullchain --params 2,1,1)" "$w211"
	same "$kt 2 1 2 (the issuer)" "$(tlsa_hex --cert $kt.fullchain --params 2,1,2)" "$w212"
done

# The whole line: owner from port and host, TTL, and several records at once.
expect_run line 0 "" "$ZW" tlsa Mail.Example.com --cert ec.fullchain --port 587 --ttl 5m \
    --params 3,1,1 --params 2,1,1
CHECKS=$((CHECKS + 2))
[ "$(sed -n 1p "$WORK/stdout")" = "_587._tcp.mail.example.com. 300 IN TLSA 3 1 1 $(spki ec.crt | want sha256)" ] ||
	fail "the record line: $(cat "$WORK/stdout")"
[ "$(sed -n 2p "$WORK/stdout" | awk '{ print $1, $2, $3, $4, $5, $6, $7 }')" = "_587._tcp.mail.example.com. 300 IN TLSA 2 1 1" ] ||
	fail "the DANE-TA line: $(cat "$WORK/stdout")"
# 3 0 1 is made, with a warning that it changes at every renewal.
expect_run warn-301 0 "changes at every renewal" "$ZW" tlsa mail.example.com --cert ec.crt --params 3,0,1
# -v names the key type.
expect_run key-type 0 "Ed25519 key, 2 certificates" "$ZW" -v tlsa mail.example.com --cert ed25519.fullchain

# What cannot be done: usage, then data or key errors.
expect_run pkix-usage 2 "RFC 7672" "$ZW" tlsa mail.example.com --cert ec.crt --params 1,1,1
expect_run full-data 2 "matching type 0" "$ZW" tlsa mail.example.com --cert ec.crt --params 3,1,0
expect_run bad-params 2 "three TLSA parameters" "$ZW" tlsa mail.example.com --cert ec.crt --params 3,1
expect_run two-sources 2 "one of --cert, --key or --csr" "$ZW" tlsa mail.example.com --cert ec.crt --key ec.key
expect_run bad-host 2 "not a host name" "$ZW" tlsa 'bad..host' --cert ec.crt
expect_run ta-from-key 4 "needs the certificate" "$ZW" tlsa mail.example.com --key ec.key --params 2,1,1
expect_run ta-no-chain 4 "give the full chain" "$ZW" tlsa mail.example.com --cert ec.crt --params 2,1,1
echo "not a certificate" >junk.pem
expect_run junk-cert 4 "junk.pem: no certificate in it" "$ZW" tlsa mail.example.com --cert junk.pem
expect_run junk-key 4 "junk.pem: no private or public key" "$ZW" tlsa mail.example.com --key junk.pem
expect_run missing-file 6 "nothere.pem" "$ZW" tlsa mail.example.com --cert nothere.pem
o pkey -in ec.key -aes256 -passout pass:secret -out ec.enc.key
expect_run encrypted-key 4 "encrypted keys are not read" "$ZW" tlsa mail.example.com --key ec.enc.key
# A CSR whose signature does not verify (one byte of it flipped): refused.
o req -in ec.csr -outform DER -out ec.csr.der
# Flip one byte near the end (in the signature) of the DER request.
size=$(wc -c <ec.csr.der)
printf '\377' | dd of=ec.csr.der bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null
expect_run bad-csr 4 "signature does not verify" "$ZW" tlsa mail.example.com --csr ec.csr.der
# Nothing of a private key reaches the output or the errors.
CHECKS=$((CHECKS + 1))
"$ZW" -v tlsa mail.example.com --key rsa.key >out.txt 2>&1
secret=$(o pkey -in rsa.key -outform DER | od -An -tx1 | tr -d ' \n' | cut -c200-240)
grep -qi "$secret" out.txt && fail "key material in the output"
# tlsa deploy decides where a renewed certificate goes, without any server:
# an RSA and an ECDSA certificate for one host renew apart, a first one is
# staged (never installed blind), a key reuse is installed at once.
mkdir -p deploy
printf '$ORIGIN example.com.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nmail A 192.0.2.25\n' >dz.zone
cat >dz.conf <<CONF
[zone example.com]
input = dz.zone
output = dz.signed
keydir = dkeys
tlsa = mail.example.com 25 deploy/rsa.crt
tlsa = mail.example.com 25 deploy/ec.crt
tlsa-deploy = deploy/rsa.crt deploy/rsa.key
tlsa-deploy = deploy/ec.crt deploy/ec.key
CONF
expect_run deploy-both-empty 4 "both empty: which takes the RSA certificate" \
    "$ZW" --now $NOW tlsa deploy --config dz.conf --cert rsa.fullchain --key rsa.key
CHECKS=$((CHECKS + 1))
[ -e deploy/rsa.crt ] || [ -e deploy/ec.crt ] && fail "both empty: something was installed"
cp rsa.fullchain deploy/rsa.crt
cp rsa.key deploy/rsa.key
expect_run deploy-first-ec 0 "nothing deployed at .*ec.crt yet" \
    "$ZW" --now $NOW tlsa deploy --config dz.conf --cert ec.fullchain --key ec.key
CHECKS=$((CHECKS + 4))
[ -e deploy/ec.crt ] && fail "first ECDSA certificate installed before its record was safe"
# The zone signed for the first time: the served RSA certificate's record and the staged ECDSA one.
[ "$(awk '$1 == "_25._tcp.mail.example.com." && $4 == "TLSA"' dz.signed | wc -l)" = 2 ] ||
	fail "first ECDSA certificate: want the RSA and the staged ECDSA record: $(grep TLSA dz.signed)"
cmp -s rsa.fullchain deploy/rsa.crt || fail "the ECDSA certificate touched the RSA one"
grep -q '"deploy_cert": ".*deploy/ec.crt"' dkeys/tlsa-state.json || fail "the ECDSA certificate is not staged for ec.crt"
expect_run deploy-rsa-reuse 0 "installed .*rsa.crt .*the same key" \
    "$ZW" --now $NOW tlsa deploy --config dz.conf --cert rsa.fullchain --key rsa.key
CHECKS=$((CHECKS + 1))
grep -q '"deploy_cert": ".*deploy/ec.crt"' dkeys/tlsa-state.json || fail "the RSA renewal dropped the ECDSA one"
expect_run deploy-wrong-key 4 "not the key of the certificate" \
    "$ZW" --now $NOW tlsa deploy --config dz.conf --cert ec.fullchain --key rsa.key
expect_run deploy-other-name 0 "nothing to do" \
    "$ZW" --now $NOW tlsa deploy --config dz.conf --cert root.crt --key root.key
finish
