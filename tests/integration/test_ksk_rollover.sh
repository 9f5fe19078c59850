# KSK (double-KSK) and ZSK rollovers driven by `zonewarden run` alone, with a
# simulated parent: it reads the zone's CDS a day after it changes and then
# serves those DS records (parent-ds-check = file: reads what it serves).
# Every published version must verify, no signature may be cached without its
# key, and no DS set may be cached beside a DNSKEY set it cannot validate.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
TOP=$(pwd)
cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
# make longcheck runs two simulated years (ZW_SIM_DAYS=730, ZW_KSK_LIFETIME=180d).
DAYS=${ZW_SIM_DAYS:-150}
cat >zw.conf <<CONF
[zone example.com]
input = example.com.zone
output = example.com.signed
keydir = keys
zsk-lifetime = 30d
ksk-lifetime = ${ZW_KSK_LIFETIME:-60d}
propagation-delay = 1h
parent-ds-ttl = 1d
parent-propagation-delay = 1h
parent-ds-check = file:parent.ds
CONF

# The checker must catch a DS set that points at a key gone from the DNSKEY set.
printf '0 1\n' >p.bad
printf '0 1,2 2 1\n50000 2,3 3 3\n' >z.bad
CHECKS=$((CHECKS + 1))
awk -v wds=7200 -v wkey=7200 -v end=100000 -f "$TOP/tests/integration/ds_check.awk" p.bad z.bad >/dev/null &&
	fail "ds_check accepts a DS left pointing at a removed KSK"

T0=$NOW_EPOCH
STEP=21600          # 6 hours
STEPS=$((DAYS * 4))
: >parent.ds
: >history
: >parent.history
runs=0 versions=0 last_serial="" cds_since=0 last_cds=""
i=0
while [ $i -le $STEPS ]; do
	t=$((T0 + i * STEP))
	"$ZW" --now "$t" -q run --config zw.conf >run.out 2>&1 || {
		fail "run at $t: $(cat run.out)"
		break
	}
	runs=$((runs + 1))
	if [ $i = 0 ]; then
		# The operator gives the parent the first DS by hand.
		"$ZW" --now "$t" keys ds example.com --keydir keys | grep -v '^;' >parent.ds
		echo "$t $(awk '{ print $5 }' parent.ds | sort -n | paste -sd, -)" >>parent.history
	fi
	serial=$(awk '$4 == "SOA" { print $7; exit }' example.com.signed)
	if [ "$serial" != "$last_serial" ]; then
		versions=$((versions + 1))
		keytags=$(dnssec-dsfromkey -A -2 -f example.com.signed example.com |
		    awk '{ print $4 }' | sort -n | paste -sd, -)
		signers=$(awk '$4 == "RRSIG" && $5 != "DNSKEY" && $5 != "CDS" && $5 != "CDNSKEY" { print $11 }' \
		    example.com.signed | sort -un | paste -sd, -)
		ksks=$(awk '$4 == "RRSIG" && $5 == "DNSKEY" { print $11 }' example.com.signed | sort -un | paste -sd, -)
		echo "$t $keytags $signers $ksks" >>history
		last_serial=$serial
		CHECKS=$((CHECKS + 1))
		ldns-verify-zone -V 0 -t "$(date -u -d "@$((t + 60))" +%Y%m%d%H%M%S)" example.com.signed >verify.out 2>&1 ||
			{ fail "version of $t does not verify: $(cat verify.out)"; break; }
	fi
	# The parent: a CDS set unchanged for a day replaces its DS set.
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
echo "test_ksk_rollover.sh: $runs runs over $((STEPS * STEP / 86400)) days, $versions versions, $((ksks - 1)) KSK and $((zsks - 1)) ZSK rollovers, $(wc -l <parent.history) parent DS sets"
CHECKS=$((CHECKS + 2))
[ $((ksks - 1)) -ge 2 ] || fail "only $((ksks - 1)) KSK rollovers: $(cat parent.history)"
[ $((zsks - 1)) -ge $((DAYS / 30 - 1)) ] || fail "only $((zsks - 1)) ZSK rollovers"
finish
