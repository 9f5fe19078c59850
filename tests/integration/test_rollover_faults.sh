# Rollovers through the faults a real deployment meets, each a short
# simulation (runs every 6 hours, the parent simulated) that must keep
# every cache combination valid (rollover_check.awk, ds_check.awk):
# an algorithm rollover whose starting zone never reaches the servers, or
# whose withdrawing zone does not; a reload that fails while it runs; the
# config turned back after the parent swapped its DS; a run killed between
# two new keys; a CSK algorithm rollover with a parent that takes the CDS at
# once; a CSK roll without CDS (the data must move to the new key anyway).
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
ZONE_SRC="$TESTDATA/../../zones/example/example.com.zone"

# scenario NAME: a fresh folder with the zone; conf ALG [SCHEME] writes zw.conf.
scenario() {
	mkdir -p "$WORK/$1" && cd "$WORK/$1" || exit 1
	cp "$ZONE_SRC" example.com.zone
	SIM_TOP=$TOP
	. "$TOP/tests/integration/rollover_sim.sh"
	: >parent.ds
	T0=$NOW_EPOCH
}
conf() {
	cat >zw.conf <<CONF
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
key-scheme = ${2:-ksk-zsk}
algorithm = $1
propagation-delay = 1h
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
${EXTRA:-}
CONF
}
run_at() { # run_at STEP: one run; false when it fails
	"$ZW" --now $((T0 + $1 * 21600)) -q run --config zw.conf >run.out 2>&1 ||
		{ fail "$SC step $1: $(cat run.out)"; return 1; }
	[ "$1" = 0 ] && sim_give_ds "$T0"
	return 0
}
record() { sim_record $((T0 + $1 * 21600)) && sim_parent $((T0 + $1 * 21600)); }
check_all() { # check_all STEPS
	sim_check $((T0 + $1 * 21600)) 7200 7200 90000
	echo "test_rollover_faults.sh: $SC: $SIM_VERSIONS versions, parent DS sets $(awk '{ print $2 }' parent.history | paste -sd' ' -)"
}

# The run that starts an algorithm rollover loses its zone (killed before the rename).
SC=start-lost; scenario $SC; conf ecdsap256sha256
for i in $(seq 0 40); do
	[ $i = 4 ] && conf ed25519
	cp example.com.signed prev.signed 2>/dev/null
	run_at $i || break
	[ $i = 4 ] && { cp prev.signed example.com.signed; continue; }
	record $i || break
done
check_all 40

# The run that withdraws the old keys loses its zone.
SC=withdraw-lost; scenario $SC; conf ecdsap256sha256; lost=
for i in $(seq 0 40); do
	[ $i = 4 ] && conf ed25519
	cp example.com.signed prev.signed 2>/dev/null
	run_at $i || break
	if [ -z "$lost" ] && grep -q '^Removed: 2026' keys/*.zwstate; then
		lost=$i
		cp prev.signed example.com.signed
		continue
	fi
	record $i || break
done
CHECKS=$((CHECKS + 1))
[ -n "$lost" ] || fail "$SC: no withdrawal happened"
check_all 40

# The reload fails for the run that starts the rollover, and works 6 hours later:
# what the servers have is what counts.
SC=reload-fail; scenario $SC
EXTRA="reload = sh -c 'test ! -e $WORK/$SC/fail && cp $WORK/$SC/example.com.signed $WORK/$SC/served'"
conf ecdsap256sha256
for i in $(seq 0 40); do
	[ $i = 4 ] && { conf ed25519; touch fail; }
	[ $i = 5 ] && rm -f fail
	"$ZW" --now $((T0 + i * 21600)) -q run --config zw.conf >run.out 2>&1
	[ $i = 0 ] && sim_give_ds "$T0"
	cp example.com.signed out.signed
	cp served example.com.signed
	record $i
	cp out.signed example.com.signed
done
EXTRA=
check_all 40

# The config turned back to the old algorithm once the parent serves the new DS.
SC=revert; scenario $SC; conf ecdsap256sha256; reverted=
for i in $(seq 0 48); do
	[ $i = 4 ] && conf ed25519
	if [ -z "$reverted" ] && [ "$(wc -l <parent.history)" -ge 2 ]; then
		reverted=$i
		conf ecdsap256sha256
	fi
	run_at $i || break
	record $i || break
done
CHECKS=$((CHECKS + 2))
[ -n "$reverted" ] || fail "$SC: the parent never took the new DS"
[ "$(tail -n 1 parent.history | awk '{ print $2 }')" = "$(head -n 1 parent.history | awk '{ print $2 }')" ] ||
	fail "$SC: the parent does not serve the first DS again: $(cat parent.history)"
check_all 48

# Rolled 13 to 15 and back to 13; the run that starts the way back is killed
# after the new KSK's files, before its state and before the ZSK.
SC=back-lost; scenario $SC; conf ecdsap256sha256
for i in $(seq 0 60); do
	[ $i = 4 ] && conf ed25519
	[ $i = 40 ] && conf ecdsap256sha256
	cp example.com.signed prev.signed 2>/dev/null
	ls keys/*.private 2>/dev/null | sort >before.list
	run_at $i || break
	if [ $i = 40 ]; then
		for k in $(ls keys/*.private | sort | comm -13 before.list -); do
			k=${k%.private}
			if grep -q ' 257 ' "$k.key"; then rm -f "$k.zwstate"; else rm -f "$k.key" "$k.private" "$k.zwstate"; fi
		done
		cp prev.signed example.com.signed
		continue
	fi
	record $i || break
done
check_all 60

# A CSK algorithm rollover with a parent that takes the CDS at once.
SC=csk-fast-parent; scenario $SC; conf ecdsap256sha256 csk
sim_parent() {
	sp_cds=$(awk '$4 == "CDS" { $4 = "DS"; print $1, $2, $3, $4, $5, $6, $7, $8 }' example.com.signed | sort)
	if [ -n "$sp_cds" ] && [ "$sp_cds" != "$(sort parent.ds | awk '{ print $1, $2, $3, $4, $5, $6, $7, $8 }')" ]; then
		echo "$sp_cds" >parent.ds
		echo "$1 $(awk '{ print $5 }' parent.ds | sort -n | paste -sd, -)" >>parent.history
	fi
}
for i in $(seq 0 40); do
	[ $i = 4 ] && conf ed25519 csk
	run_at $i || break
	record $i || break
done
check_all 40

# A CSK roll without CDS (cds = no, the DS given by hand): the new key takes
# the data over once its DNSKEY can be cached, whatever the CDS.
SC=csk-no-cds; scenario $SC
cat >zw.conf <<'CONF'
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
key-scheme = csk
cds = no
propagation-delay = 1h
parent-ds-check = manual
CONF
"$ZW" --now $T0 -q run --config zw.conf >run.out 2>&1 || fail "$SC: $(cat run.out)"
"$ZW" --now $((T0 + 3600)) -q keys roll example.com --csk --config zw.conf >run.out 2>&1 || fail "$SC: $(cat run.out)"
new=$(ls -t keys/*.zwstate | head -n 1 | sed 's/.*+0*\([0-9]*\)\.zwstate/\1/')
for h in 2 8; do
	"$ZW" --now $((T0 + h * 3600)) -q run --config zw.conf >run.out 2>&1 || fail "$SC: $(cat run.out)"
done
CHECKS=$((CHECKS + 1))
[ "$(awk '$4 == "RRSIG" && $5 != "DNSKEY" { print $11 }' example.com.signed | sort -u)" = "$new" ] ||
	fail "$SC: 8 hours on, the data is not signed by the new CSK $new alone: $(awk '$4 == "RRSIG" && $5 != "DNSKEY" { print $11 }' example.com.signed | sort -u | paste -sd, -)"
finish
