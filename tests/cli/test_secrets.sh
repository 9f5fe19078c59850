# Secrets and permissions (issue 8): private key files are made 0600 in a
# 0700 folder, and no output — verbose, JSON, or any error about a damaged
# private file — ever shows private key material.
. tests/lib.sh

cd "$WORK" || exit 1
ZONE="$TESTDATA/../../zones/example/example.com.zone"
for alg in ecdsap256sha256 ed25519 rsasha256; do
	"$ZW" --now $NOW -q keys init example.com --keydir k-$alg --algorithm $alg ||
		fail "keys init $alg"
	CHECKS=$((CHECKS + 2))
	[ "$(stat -c %a k-$alg)" = 700 ] || fail "$alg: key folder mode $(stat -c %a k-$alg)"
	for p in k-$alg/*.private; do
		[ "$(stat -c %a "$p")" = 600 ] || fail "$alg: $p mode $(stat -c %a "$p")"
	done
done

# Every secret value of every private file, and a part of it long enough
# to be one: what must appear nowhere.
: >secrets
for p in k-*/*.private; do
	awk -F': ' '$1 ~ /^(PrivateKey|PrivateExponent|Prime1|Prime2|Exponent1|Exponent2|Coefficient)$/ {
		print $2; print substr($2, 5, 16) }' "$p" >>secrets
done
CHECKS=$((CHECKS + 1))
[ "$(wc -l <secrets)" -ge 10 ] || fail "found too few secrets to look for: $(wc -l <secrets)"

: >all.out
# run_all CMD...: append stdout and stderr of CMD to all.out.
run_all() { "$@" >>all.out 2>&1; }
for alg in ecdsap256sha256 ed25519 rsasha256; do
	run_all "$ZW" --now $NOW -vv sign example.com --in "$ZONE" --out $alg.signed --keydir k-$alg
	run_all "$ZW" --now $NOW -vv keys list example.com --keydir k-$alg
	run_all "$ZW" --now $NOW -vv keys ds example.com --keydir k-$alg
	cat >zw-$alg.conf <<CONF
[zone example.com]
input = $ZONE
output = run-$alg.signed
keydir = k-$alg
CONF
	run_all "$ZW" --now $NOW -vv run --config zw-$alg.conf
	run_all "$ZW" --now $NOW status --config zw-$alg.conf --json
	run_all "$ZW" --now $NOW keys status example.com --config zw-$alg.conf --json
	run_all "$ZW" --now $NOW -vv check example.com --signed $alg.signed --json
	# Damaged private files: each error names the file, never the value.
	# (PrivateKey for ECDSA and EdDSA, PrivateExponent for RSA.)
	for damage in 's/^\(\(PrivateKey\|PrivateExponent\): ...\)./\1!/' \
	    's/^Algorithm: .*/Algorithm: 99 (X)/' \
	    's/^\(\(PrivateKey\|PrivateExponent\): \)\(.*\)/\1\3\3/' \
	    's/^Private-key-format: .*/Private-key-format: v9.9/' \
	    's/^\(\(PrivateKey\|PrivateExponent\): .*\)$/\1\n\2: AAAA/'; do
		rm -rf kd kd.signed && cp -r k-$alg kd
		p=$(ls kd/*.private | head -n 1)
		sed -i "$damage" "$p"
		CHECKS=$((CHECKS + 1))
		cmp -s "$p" "k-$alg/$(basename "$p")" && fail "$alg: damage '$damage' changed nothing"
		"$ZW" --now $NOW -vv sign example.com --in "$ZONE" --out kd.signed --keydir kd >one.out 2>&1
		rc=$?
		cat one.out >>all.out
		CHECKS=$((CHECKS + 1))
		[ $rc = 4 ] && grep -q "$(basename "$p")" one.out ||
			fail "$alg, damage '$damage': exit $rc, or the file not named: $(cat one.out)"
		run_all "$ZW" --now $NOW -vv keys list example.com --keydir kd
	done
done
n=0
while read -r s; do
	[ -n "$s" ] || continue
	n=$((n + 1))
	CHECKS=$((CHECKS + 1))
	grep -qF -- "$s" all.out && fail "private key material in the output (line $n of secrets)"
done <secrets
echo "test_secrets.sh: $n secret values looked for in $(wc -l <all.out) lines of output"
finish
