# Kill -9 at random moments (issue 8): `sign` (60 times), `keys roll` (20)
# and `tlsa stage` / `tlsa commit` (20 each), each on a zone of 3000 names
# so that a kill can land while reading, signing or writing. After each
# kill: the output is the previous complete signed zone or a new complete
# one (it verifies), the key files and states load, the next command
# completes, and no temporary file survives it. The seed is printed;
# ZW_SEED repeats a run.
. tests/lib.sh

SEED=${ZW_SEED:-20261129}
echo "test_kill.sh: seed $SEED (ZW_SEED=$SEED repeats this run)"
cd "$WORK" || exit 1
H=mail.example.com
awk 'BEGIN { print "$ORIGIN example.com."; print "$TTL 300"
	print "@ SOA ns1 hostmaster 1 7200 3600 1209600 300"; print "@ NS ns1"
	print "@ MX 10 mail"; print "ns1 A 192.0.2.1"; print "mail A 192.0.2.25"
	for (i = 0; i < 3000; i++) printf "h%d A 192.0.2.%d\n", i, i % 250 + 1 }' >a.zone
sed 's/^h7 A .*/h7 A 198.51.100.7/' a.zone >b.zone
o() { openssl "$@" 2>>openssl.log; }
for c in old new; do
	o ecparam -name prime256v1 -genkey -noout -out $c.key
	o req -new -x509 -key $c.key -subj "/CN=$H" -days 90 -out $c.crt
done
CHECKS=$((CHECKS + 1))
[ -s old.crt ] && [ -s new.crt ] || { fail "openssl: $(tail -n 3 openssl.log)"; finish; exit; }
cp old.crt deployed.crt
cat >zw.conf <<CONF
[zone example.com]
input = a.zone
output = out.signed
keydir = keys
signature-validity = 30d
tlsa = $H 25 deployed.crt
CONF
T=$NOW_EPOCH
expect_run first 0 "signed" "$ZW" --now $T run --config zw.conf

# Delays (microseconds) up to 1.3 times a re-sign over our own output (the
# commands below do one), from the seed.
# The shortest of three: a busy machine only makes the commands slower.
cp out.signed timing.signed
SIGN_US=
for in in b.zone a.zone b.zone; do
	t0=$(date +%s%N)
	"$ZW" --now $T -q sign example.com --in $in --out timing.signed --keydir keys
	us=$(( ($(date +%s%N) - t0) / 1000 ))
	[ -z "$SIGN_US" ] || [ $us -lt $SIGN_US ] && SIGN_US=$us
done
awk -v seed="$SEED" -v max="$SIGN_US" 'BEGIN { srand(seed)
	for (i = 0; i < 200; i++) printf "%d\n", rand() * max * 1.3 }' >delays
echo "test_kill.sh: a re-sign takes ${SIGN_US}us; kills up to 1.3 times that"
K=0 MID=0
# killed CMD...: start CMD, kill -9 it after the next delay.
killed() {
	K=$((K + 1))
	"$@" >/dev/null 2>&1 &
	kd_pid=$!
	sleep "$(awk -v us="$(sed -n "${K}p" delays)" 'BEGIN { printf "%.6f", us / 1e6 }')"
	kill -9 $kd_pid 2>/dev/null && MID=$((MID + 1))
	wait $kd_pid 2>/dev/null
}
# verified NAME AT: out.signed is complete (our last line) and verifies at AT.
verified() {
	CHECKS=$((CHECKS + 1))
	tail -n 1 out.signed | grep -q '^; zonewarden-signed 1 ' ||
		{ fail "$1: out.signed is not complete: $(tail -n 1 out.signed | cut -c1-80)"; return 1; }
	ldns-verify-zone -V 1 -t "$(date -u -d "@$2" +%Y%m%d%H%M%S)" out.signed >verify.out 2>&1 ||
		{ fail "$1: out.signed does not verify: $(tail -n 2 verify.out)"; return 1; }
}
# no_temporary NAME: nothing of a killed run's temporary files is left.
no_temporary() {
	CHECKS=$((CHECKS + 1))
	ls -a . keys | grep -q '\.tmp\.' && fail "$1: a temporary file survived: $(ls -a . keys | grep '\.tmp\.')"
}

# sign: the output is the previous one or a whole new one.
MID0=$MID
i=0
while [ $i -lt 60 ]; do
	T=$((T + 600))
	in=a.zone
	[ $((i % 2)) = 1 ] && in=b.zone
	cp out.signed before.signed
	killed "$ZW" --now $T sign example.com --in $in --out out.signed --keydir keys
	if ! cmp -s out.signed before.signed; then
		verified "sign kill $i (new output)" $T || break
	fi
	expect_run "sign after kill $i" 0 "" "$ZW" --now $T sign example.com --in $in --out out.signed --keydir keys || break
	verified "sign after kill $i" $T || break
	no_temporary "sign after kill $i"
	i=$((i + 1))
done

SIGN_MID=$((MID - MID0))
# keys roll: key files and states stay readable; run completes the step.
MID0=$MID
i=0
while [ $i -lt 20 ]; do
	T=$((T + 3600))
	cp out.signed before.signed
	killed "$ZW" --now $T keys roll example.com --zsk --config zw.conf
	# keys roll writes keys and state, and no zone.
	CHECKS=$((CHECKS + 1))
	cmp -s out.signed before.signed || fail "keys roll kill $i: the output changed"
	expect_run "keys status after kill $i" 0 "" "$ZW" --now $T keys status example.com --config zw.conf || break
	expect_run "run after keys roll kill $i" 0 "" "$ZW" --now $T run --config zw.conf || break
	verified "run after keys roll kill $i" $T || break
	no_temporary "keys roll kill $i"
	i=$((i + 1))
done

ROLL_MID=$((MID - MID0))
# tlsa stage, then commit once deployed: each killed, then done again.
MID0=$MID
i=0
cur=old nxt=new
while [ $i -lt 20 ]; do
	T=$((T + 3600))
	cp out.signed before.signed
	killed "$ZW" --now $T tlsa stage example.com $H --cert $nxt.crt --config zw.conf
	if ! cmp -s out.signed before.signed; then
		verified "stage kill $i (new output)" $T || break
	fi
	expect_run "run after stage kill $i" 0 "" "$ZW" --now $T run --config zw.conf || break
	verified "run after stage kill $i" $T || break
	expect_run "stage after kill $i" 0 "staged" "$ZW" --now $T tlsa stage example.com $H --cert $nxt.crt --config zw.conf || break
	cp $nxt.crt deployed.crt
	T=$((T + 3600))
	cp out.signed before.signed
	killed "$ZW" --now $T tlsa commit example.com $H --config zw.conf
	if ! cmp -s out.signed before.signed; then
		verified "commit kill $i (new output)" $T || break
	fi
	expect_run "run after commit kill $i" 0 "" "$ZW" --now $T run --config zw.conf || break
	verified "run after commit kill $i" $T || break
	"$ZW" --now $T tlsa commit example.com $H --config zw.conf >commit.out 2>&1
	rc=$?
	CHECKS=$((CHECKS + 1))
	# Done by the killed one already (nothing staged: 4), or now (0).
	[ $rc = 0 ] || { [ $rc = 4 ] && grep -q "nothing is staged" commit.out; } ||
		{ fail "commit after kill $i: exit $rc: $(cat commit.out)"; break; }
	no_temporary "tlsa kill $i"
	t=$cur cur=$nxt nxt=$t
	i=$((i + 1))
done
TLSA_MID=$((MID - MID0))
echo "test_kill.sh: $K commands killed with -9, $MID before they ended: sign $SIGN_MID of 60, keys roll $ROLL_MID of 20, tlsa $TLSA_MID of 40"
# The kills must test something: a good share of the signs mid-command
# (about half here; a quarter at least, whatever the machine's speed), and
# some of the others.
CHECKS=$((CHECKS + 3))
[ $((SIGN_MID * 4)) -ge 60 ] || fail "only $SIGN_MID of 60 sign kills landed before the command ended"
[ "$ROLL_MID" -ge 1 ] || fail "no keys roll kill landed before the command ended"
[ "$TLSA_MID" -ge 4 ] || fail "only $TLSA_MID of 40 tlsa kills landed before the command ended"
finish
