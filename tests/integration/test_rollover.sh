# ZSK rollovers driven by `zonewarden run` alone, over simulated months: every
# few hours the clock moves on and run is called, as the hourly timer would.
# Every version of the zone it publishes must verify, and no two versions a
# validating resolver could hold at once (a DNSKEY set and signatures, each
# cached for its TTL plus the propagation delay) may leave a signature
# without its key. The ZSK must roll by itself, more than once.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
CHECKER=tests/integration/rollover_check.awk
cd "$WORK" || exit 1
TOP=$OLDPWD
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
cat >zw.conf <<'CONF'
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
zsk-lifetime = 30d
propagation-delay = 1h
signature-validity = 14d
signature-refresh = 5d
CONF

# The checker must catch a bad history: key 2 signing before caches could hold it.
printf '0 1 1\n3600 1,2 2\n' >bad.history
CHECKS=$((CHECKS + 1))
awk -v wkey=7200 -v wsig=7200 -v end=100000 -f "$TOP/$CHECKER" bad.history >/dev/null &&
	fail "the checker accepts a ZSK that signs before its DNSKEY can be cached"
printf '0 1 1\n3600 1,2 1\n20000 1,2 2\n40000 2 2\n' >good.history
CHECKS=$((CHECKS + 1))
awk -v wkey=7200 -v wsig=7200 -v end=100000 -f "$TOP/$CHECKER" good.history ||
	fail "the checker refuses a correct pre-publication roll"

# version_line TIME: "TIME KEYS SIGNERS" of the output as it is now: the tags
# of its DNSKEYs (computed by BIND's dnssec-dsfromkey) and of the keys whose
# signatures cover its other RRsets.
version_line() {
	keytags=$(dnssec-dsfromkey -A -2 -f example.com.signed example.com |
	    awk '{ print $4 }' | sort -n | paste -sd, -)
	signers=$(awk '$4 == "RRSIG" && $5 != "DNSKEY" { print $11 }' example.com.signed |
	    sort -un | paste -sd, -)
	echo "$1 $keytags $signers"
}

T0=$NOW_EPOCH
STEP=21600          # 6 hours
STEPS=480           # 120 days
: >history
runs=0 versions=0 last_serial=""
i=0
while [ $i -le $STEPS ]; do
	t=$((T0 + i * STEP))
	"$ZW" --now "$t" -q run --config zw.conf >run.out 2>&1
	rc=$?
	runs=$((runs + 1))
	if [ $rc != 0 ]; then
		fail "run at $t: exit $rc: $(cat run.out)"
		break
	fi
	serial=$(awk '$4 == "SOA" { print $7; exit }' example.com.signed)
	if [ "$serial" != "$last_serial" ]; then
		versions=$((versions + 1))
		version_line "$t" >>history
		last_serial=$serial
		# Every new version verifies, at the time it is served.
		CHECKS=$((CHECKS + 1))
		if ! ldns-verify-zone -V 0 -t "$(date -u -d "@$((t + 60))" +%Y%m%d%H%M%S)" example.com.signed >verify.out 2>&1; then
			fail "version of $t does not verify: $(cat verify.out)"
			break
		fi
	fi
	i=$((i + 1))
done
end=$((T0 + STEPS * STEP))

# TTLs: DNSKEY 3600 (the SOA's), largest signed RRset 3600; Dprp 3600.
CHECKS=$((CHECKS + 1))
awk -v wkey=7200 -v wsig=7200 -v end=$end -f "$TOP/$CHECKER" history >violations ||
	fail "a resolver could hold a signature without its key: $(head -n 5 violations)"
zsks=$(awk '{ n = split($3, s, ","); for (i = 1; i <= n; i++) seen[s[i]] = 1 } END { for (k in seen) c++; print c + 0 }' history)
rolls=$((zsks - 1))
echo "test_rollover.sh: $runs runs over $((STEPS * STEP / 86400)) days, $versions versions published, $rolls ZSK rollovers"
CHECKS=$((CHECKS + 1))
[ "$rolls" -ge 3 ] || fail "only $rolls ZSK rollovers in $((STEPS * STEP / 86400)) days with a 30d lifetime: $(cat history | tail -n 5)"
# Old ZSKs leave the DNSKEY set: at the end at most two ZSKs and the KSK are published.
CHECKS=$((CHECKS + 1))
last_keys=$(tail -n 1 history | awk '{ print $2 }' | tr ',' '\n' | wc -l)
[ "$last_keys" -le 3 ] || fail "old keys stay published: $(tail -n 1 history)"
# While the name servers do not get the zone (the reload fails), no key moves
# on: the new ZSK must not sign and the old must stay, however long it lasts.
mkdir stuck && cp example.com.zone stuck/
printf '[zone example.com]\ninput = example.com.zone\noutput = out.signed\nkeydir = keys\nreload = false\n' >stuck/zw.conf
"$ZW" --now $T0 -q run --config stuck/zw.conf >/dev/null 2>&1
old_zsk=$(awk '$4 == "RRSIG" && $5 == "SOA" { print $11 }' stuck/out.signed)
expect_run stuck-roll 0 "new ZSK" "$ZW" --now $T0 keys roll example.com --zsk --config stuck/zw.conf
for h in 0 6 24 48 96; do
	"$ZW" --now $((T0 + h * 3600)) -q run --config stuck/zw.conf >/dev/null 2>&1
	CHECKS=$((CHECKS + 1))
	[ "$(awk '$4 == "RRSIG" && $5 == "SOA" { print $11 }' stuck/out.signed)" = "$old_zsk" ] ||
		fail "reload failing, +${h}h: the zone is signed by another ZSK than $old_zsk"
done
# Once the reload works, the roll goes on from then: the new ZSK signs only
# after its DNSKEY has been served for Dprp + TTL (2h).
sed -i 's/^reload = false$/reload = true/' stuck/zw.conf
T1=$((T0 + 100 * 3600))
"$ZW" --now $T1 -q run --config stuck/zw.conf >/dev/null 2>&1
"$ZW" --now $((T1 + 3600)) -q run --config stuck/zw.conf >/dev/null 2>&1
CHECKS=$((CHECKS + 1))
[ "$(awk '$4 == "RRSIG" && $5 == "SOA" { print $11 }' stuck/out.signed)" = "$old_zsk" ] ||
	fail "after the first good reload the new ZSK signed within its wait"
"$ZW" --now $((T1 + 3 * 3600)) -q run --config stuck/zw.conf >/dev/null 2>&1
CHECKS=$((CHECKS + 1))
[ "$(awk '$4 == "RRSIG" && $5 == "SOA" { print $11 }' stuck/out.signed)" != "$old_zsk" ] ||
	fail "the ZSK roll did not go on once the reload worked"

# `sign` by hand with the same key folder publishes and signs as the timeline says.
expect_run sign-by-hand 0 "" "$ZW" --now $end sign example.com --in example.com.zone \
    --out by-hand.signed --keydir keys
CHECKS=$((CHECKS + 1))
[ "$(dnssec-dsfromkey -A -2 -f by-hand.signed example.com | awk '{ print $4 }' | sort -n | paste -sd, -)" = \
    "$(tail -n 1 history | awk '{ print $2 }')" ] || fail "sign publishes other keys than run: $(grep DNSKEY by-hand.signed)"
# keys status explains what comes next.
expect_run keys-status 0 "" "$ZW" --now $end keys status example.com --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "ZSK .* active" "$WORK/stdout" || fail "keys status: $(cat "$WORK/stdout")"
finish
