# Kill -9 at any moment of `zonewarden run` while keys roll: before every
# regular run a first run is started and killed after a random few
# milliseconds (the seed is printed; ZW_SEED repeats a run). The regular run
# after it must carry on: every published version verifies, no cache can hold
# a signature without its key or a DS without its DNSKEY, and the rolls
# complete. No temporary file survives the next run.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
# A fixed seed in make check (kill moments still vary with the machine);
# make longcheck draws a new one each time.
SEED=${ZW_SEED:-20261129}
echo "test_rollover_crash.sh: seed $SEED (ZW_SEED=$SEED repeats this run)"
cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
cat >zw.conf <<'CONF'
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
zsk-lifetime = 20d
ksk-lifetime = 30d
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
CONF
# Kill delays in microseconds, one per step, from the seed.
STEPS=${ZW_CRASH_STEPS:-160}
awk -v seed="$SEED" -v n="$STEPS" 'BEGIN { srand(seed); for (i = 0; i <= n; i++) printf "%d\n", rand() * 12000 }' >delays

T0=$NOW_EPOCH
STEP=21600
: >parent.ds
: >history
: >parent.history
kills=0 killed_mid=0 last_serial="" last_cds="" cds_since=0
i=0
while [ $i -le $STEPS ]; do
	t=$((T0 + i * STEP))
	delay=$(sed -n "$((i + 1))p" delays)
	"$ZW" --now "$t" -q run --config zw.conf >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v us="$delay" 'BEGIN { printf "%.6f", us / 1e6 }')"
	if kill -9 $pid 2>/dev/null; then
		killed_mid=$((killed_mid + 1))
	fi
	wait $pid 2>/dev/null
	kills=$((kills + 1))
	# The regular run: it must succeed whatever the killed one left.
	if ! "$ZW" --now "$t" -q run --config zw.conf >run.out 2>&1; then
		fail "run at step $i ($t) after a kill at ${delay}us: $(cat run.out)"
		break
	fi
	if [ $i = 0 ]; then
		"$ZW" --now "$t" keys ds example.com --keydir keys | grep -v '^;' >parent.ds
		echo "$t $(awk '{ print $5 }' parent.ds | sort -n | paste -sd, -)" >>parent.history
	fi
	CHECKS=$((CHECKS + 1))
	ls . keys | grep -q '\.tmp\.' && fail "step $i: a temporary file survived the run: $(ls . keys | grep '\.tmp\.')"
	serial=$(awk '$4 == "SOA" { print $7; exit }' example.com.signed)
	if [ "$serial" != "$last_serial" ]; then
		keytags=$(dnssec-dsfromkey -A -2 -f example.com.signed example.com | awk '{ print $4 }' | sort -n | paste -sd, -)
		signers=$(awk '$4 == "RRSIG" && $5 != "DNSKEY" && $5 != "CDS" && $5 != "CDNSKEY" { print $11 }' \
		    example.com.signed | sort -un | paste -sd, -)
		ksks=$(awk '$4 == "RRSIG" && $5 == "DNSKEY" { print $11 }' example.com.signed | sort -un | paste -sd, -)
		echo "$t $keytags $signers $ksks" >>history
		last_serial=$serial
		CHECKS=$((CHECKS + 1))
		ldns-verify-zone -V 0 -t "$(date -u -d "@$((t + 60))" +%Y%m%d%H%M%S)" example.com.signed >verify.out 2>&1 ||
			{ fail "step $i: the output does not verify: $(cat verify.out)"; break; }
	fi
	cds=$(awk '$4 == "CDS" { $4 = "DS"; print $1, $2, $3, $4, $5, $6, $7, $8 }' example.com.signed | sort)
	if [ "$cds" != "$last_cds" ]; then
		last_cds=$cds
		cds_since=$t
	fi
	if [ -n "$cds" ] && [ $((t - cds_since)) -ge 86400 ] &&
	    [ "$cds" != "$(sort parent.ds | awk '{ print $1, $2, $3, $4, $5, $6, $7, $8 }')" ]; then
		echo "$cds" >parent.ds
		echo "$t $(awk '{ print $5 }' parent.ds | sort -n | paste -sd, -)" >>parent.history
	fi
	i=$((i + 1))
done
end=$((T0 + STEPS * STEP))
CHECKS=$((CHECKS + 2))
awk -v wkey=7200 -v wsig=7200 -v end=$end -f "$TOP/tests/integration/rollover_check.awk" history >violations ||
	fail "a resolver could hold a signature without its key: $(head -n 3 violations)"
awk -v wds=90000 -v wkey=7200 -v end=$end -f "$TOP/tests/integration/ds_check.awk" parent.history history >violations ||
	fail "a resolver could hold a DS set without a key for it: $(head -n 3 violations)"
ksks=$(awk '{ n = split($4, s, ","); for (i = 1; i <= n; i++) seen[s[i]] = 1 } END { for (k in seen) c++; print c + 0 }' history)
zsks=$(awk '{ n = split($3, s, ","); for (i = 1; i <= n; i++) seen[s[i]] = 1 } END { for (k in seen) c++; print c + 0 }' history)
echo "test_rollover_crash.sh: $kills runs killed with -9 ($killed_mid before they ended), $((ksks - 1)) KSK and $((zsks - 1)) ZSK rollovers completed"
CHECKS=$((CHECKS + 2))
[ $((ksks - 1)) -ge 1 ] || fail "no KSK rollover completed"
[ $((zsks - 1)) -ge 1 ] || fail "no ZSK rollover completed"
finish
