# ZSK and KSK rollovers (CSK rollovers with ZW_LIVE_SCHEME=csk, as
# test_csk_rollover_live.sh runs it; an algorithm rollover from 8 to 13 with
# ZW_LIVE_SCHEME=algorithm, test_algorithm_rollover_live.sh) against the
# real stack, in a network namespace of its
# own: `zonewarden run` every 6 simulated hours reloads NSD through its hook;
# the simulated parent takes the CDS a day after it changes. At every new
# version NSD serves, a fresh Unbound whose trust anchor is the parent's DS
# set of that moment, validating at that time, answers the SOA and www A
# with AD: each rollover boundary checked by a real validator.
. tests/lib.sh
. tests/integration/servers.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup unbound dig; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done
cd "$WORK" || exit 1
Z=example.test
SCHEME=${ZW_LIVE_SCHEME:-ksk-zsk}
ALG_SWITCH_STEP=
if [ "$SCHEME" = algorithm ]; then
	KEYCONF="algorithm = rsasha256"
	ALG_SWITCH_STEP=8      # day 2: the operator sets the new algorithm
	DEFAULT_STEPS=40       # 10 days: the whole rollover
	MIN_BOUNDARIES=5
	NAME=test_algorithm_rollover_live.sh
elif [ "$SCHEME" = csk ]; then
	KEYCONF="key-scheme = csk
csk-lifetime = 14d"
	DEFAULT_STEPS=124     # 31 days: two CSK rolls
	MIN_BOUNDARIES=6
	NAME=test_csk_rollover_live.sh
else
	KEYCONF="zsk-lifetime = 14d
ksk-lifetime = 21d"
	DEFAULT_STEPS=220     # 55 days: three ZSK rolls, two KSK rolls
	MIN_BOUNDARIES=8
	NAME=test_rollover_live.sh
fi
cp "$TESTDATA/zones/resolve.valid" $Z.zone
cat >zw.conf <<CONF
[zone $Z]
input = $Z.zone
output = $Z.signed
keydir = keys
$KEYCONF
signature-validity = 14d
signature-refresh = 5d
parent-ds-check = file:parent.ds
parent-ds-ttl = 1h
parent-propagation-delay = 10m
reload = nsd-control -c $WORK/nsd.conf reload %z
CONF

# NSD first serves the unsigned zone; every signed version reaches it
# through the hook's reload.
T0=$NOW_EPOCH
cp $Z.zone $Z.signed
start_nsd $Z "$WORK/$Z.signed" "$WORK/nsd-control" || { fail "NSD did not start"; finish; exit; }
expect_run first-run 0 "signed" "$ZW" --now $T0 run --config zw.conf
"$ZW" --now $T0 keys ds $Z --keydir keys | grep -v '^;' >parent.ds

# served_serial: the SOA serial NSD serves.
served_serial() {
	dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$NSD_PORT" $Z SOA | awk '{ print $3 }'
}

# check_validates LABEL TIME SERIAL: a fresh Unbound below parent.ds, at TIME, gives AD.
check_validates() {
	start_unbound $Z "$WORK/parent.ds" "$2" || { fail "$1: Unbound did not start"; return 1; }
	for q in "$Z SOA" "www.$Z A"; do
		CHECKS=$((CHECKS + 1))
		# shellcheck disable=SC2086 # q: name and type
		dig_at "$UNBOUND_PORT" $q >answer 2>&1
		if ! grep -q "status: NOERROR" answer || ! sed -n 's/^;; flags:\([^;]*\);.*/\1 /p' answer | grep -q " ad "; then
			fail "$1: $q not validated (serial $3): $(grep -E 'status|flags' answer)"
			server_log unbound
		fi
	done
	stop_unbound
}

STEP=21600
STEPS=${ZW_LIVE_STEPS:-$DEFAULT_STEPS}
last_serial="" last_cds="" cds_since=0 boundaries=0
i=1
while [ $i -le $STEPS ]; do
	t=$((T0 + i * STEP))
	[ "$i" = "$ALG_SWITCH_STEP" ] && sed -i 's/^algorithm = .*/algorithm = ecdsap256sha256/' zw.conf
	"$ZW" --now "$t" -q run --config zw.conf >run.out 2>&1 || { fail "run at $t: $(cat run.out)"; break; }
	serial=$(awk '$4 == "SOA" { print $7; exit }' $Z.signed)
	keys=$(awk '$4 == "DNSKEY" || $4 == "CDS"' $Z.signed | sort | cksum)
	if [ "$serial" != "$last_serial" ]; then
		# NSD serves the new serial only through the hook's reload.
		CHECKS=$((CHECKS + 1))
		w=0
		until [ "$(served_serial)" = "$serial" ]; do
			w=$((w + 1))
			[ $w -lt 50 ] || { fail "step $i: NSD serves $(served_serial), not $serial"; break; }
			sleep 0.1
		done
		# A real validator at every change of keys (a rollover boundary).
		if [ "$keys" != "${last_keys:-}" ]; then
			boundaries=$((boundaries + 1))
			check_validates "step $i" $((t + 60)) "$serial"
			last_keys=$keys
		fi
		last_serial=$serial
	fi
	# The parent: a CDS set unchanged for a day replaces its DS set.
	cds=$(awk '$4 == "CDS" { $4 = "DS"; print $1, $2, $3, $4, $5, $6, $7, $8 }' $Z.signed | sort)
	if [ "$cds" != "$last_cds" ]; then
		last_cds=$cds
		cds_since=$t
	fi
	if [ -n "$cds" ] && [ $((t - cds_since)) -ge 86400 ] &&
	    [ "$cds" != "$(sort parent.ds | awk '{ print $1, $2, $3, $4, $5, $6, $7, $8 }')" ]; then
		echo "$cds" >parent.ds
		# The parent's new DS set, checked at once by a validator that trusts it.
		boundaries=$((boundaries + 1))
		check_validates "step $i (new parent DS)" $((t + 60)) "$serial"
	fi
	i=$((i + 1))
done
echo "$NAME: $STEPS runs, $boundaries rollover boundaries validated by Unbound"
CHECKS=$((CHECKS + 1))
[ $boundaries -ge $MIN_BOUNDARIES ] || fail "only $boundaries rollover boundaries seen"
finish
