# Kill -9 at any moment of `zonewarden run` while keys roll: before every
# regular run a first run is started and killed after a random few
# milliseconds (the seed is printed; ZW_SEED repeats a run). The regular run
# after it must carry on: every published version verifies, no cache can hold
# a signature without its key or a DS without its DNSKEY, and the rolls
# complete. No temporary file survives the next run. With ZW_CRASH_SCHEME=csk
# (test_csk_rollover_crash.sh), the keys are CSKs and roll as such; with
# ZW_CRASH_SCHEME=algorithm (test_algorithm_rollover_crash.sh), they roll
# from algorithm 8 to 13.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
# A fixed seed in make check (kill moments still vary with the machine);
# make longcheck draws a new one each time.
SEED=${ZW_SEED:-20261129}
ALG_SWITCH_STEP= DEFAULT_STEPS=160
if [ "${ZW_CRASH_SCHEME:-}" = algorithm ]; then
	NAME=test_algorithm_rollover_crash.sh
	KEYCONF="algorithm = rsasha256
zsk-lifetime = 20d"
	ALG_SWITCH_STEP=8
	DEFAULT_STEPS=60
elif [ "${ZW_CRASH_SCHEME:-}" = csk ]; then
	NAME=test_csk_rollover_crash.sh
	KEYCONF="key-scheme = csk
csk-lifetime = 20d"
else
	NAME=test_rollover_crash.sh
	KEYCONF="zsk-lifetime = 20d
ksk-lifetime = 30d"
fi
echo "$NAME: seed $SEED (ZW_SEED=$SEED repeats this run)"
cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
cat >zw.conf <<CONF
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
$KEYCONF
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
CONF
# Kill delays in microseconds, one per step, from the seed.
STEPS=${ZW_CRASH_STEPS:-$DEFAULT_STEPS}
awk -v seed="$SEED" -v n="$STEPS" 'BEGIN { srand(seed); for (i = 0; i <= n; i++) printf "%d\n", rand() * 12000 }' >delays

SIM_TOP=$TOP
. "$TOP/tests/integration/rollover_sim.sh"
T0=$NOW_EPOCH
STEP=21600
: >parent.ds
kills=0 killed_mid=0
i=0
while [ $i -le $STEPS ]; do
	t=$((T0 + i * STEP))
	delay=$(sed -n "$((i + 1))p" delays)
	[ "$i" = "$ALG_SWITCH_STEP" ] && sed -i 's/^algorithm = .*/algorithm = ecdsap256sha256/' zw.conf
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
	[ $i = 0 ] && sim_give_ds "$t"
	CHECKS=$((CHECKS + 1))
	ls . keys | grep -q '\.tmp\.' && fail "step $i: a temporary file survived the run: $(ls . keys | grep '\.tmp\.')"
	sim_record "$t" || break
	sim_parent "$t"
	i=$((i + 1))
done
sim_check $((T0 + STEPS * STEP)) 7200 7200 90000
echo "$NAME: $kills runs killed with -9 ($killed_mid before they ended), $SIM_KSK_ROLLS KSK (or CSK) and $SIM_ZSK_ROLLS ZSK (or CSK data) rollovers completed"
CHECKS=$((CHECKS + 2))
[ "$SIM_KSK_ROLLS" -ge 1 ] || fail "no KSK rollover completed"
if [ -n "$ALG_SWITCH_STEP" ]; then
	CHECKS=$((CHECKS + 1))
	tail -n 1 history | awk '{ n = split($5, t, ","); for (i = 1; i <= n; i++) if (t[i] !~ /:13$/) exit 1 }' ||
		fail "the algorithm rollover did not finish: $(tail -n 1 history)"
fi
[ "$SIM_ZSK_ROLLS" -ge 1 ] || fail "no ZSK rollover completed"
finish
