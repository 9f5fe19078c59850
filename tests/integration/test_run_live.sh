# zonewarden run against live servers, in a network namespace of its own:
# NSD serves the configured output and reloads it only through the zone's
# reload hook (nsd-control), Unbound validates below the DS from `keys ds`.
# The first run signs and NSD serves the signed zone, with AD from Unbound; a
# run with nothing due leaves the file alone (inode, mtime) and reloads
# nothing; a run past the refresh point and a run after an input change sign
# again, and NSD serves each new serial, still validated. A tampered output
# loaded by NSD gives SERVFAIL (the AD checks can fail), and the next run
# puts a good zone back.
. tests/lib.sh
. tests/integration/servers.sh

netns_enter "$0"
for tool in nsd nsd-control nsd-control-setup unbound unbound-checkconf dig; do
	command -v "$tool" >/dev/null 2>&1 || { fail "$tool is not installed"; finish; exit; }
done

Z=example.test
IN="$WORK/$Z.zone"
OUT="$WORK/$Z.signed"
KEYS="$WORK/keys"
DS="$WORK/ds"
RELOADS="$WORK/reloads"
cp "$TESTDATA/zones/resolve.valid" "$IN"

# The reload hook: log the call, then have the running NSD load the zone.
cat >"$WORK/reload.sh" <<EOF
#!/bin/sh
echo "\$*" >>"$RELOADS"
exec nsd-control -c "$WORK/nsd.conf" reload "\$1"
EOF
chmod +x "$WORK/reload.sh"
cat >"$WORK/zw.conf" <<EOF
[zone $Z]
input = $IN
output = $OUT
keydir = $KEYS
reload = $WORK/reload.sh %z %f
EOF

# zw_run LABEL WHEN PATTERN: zonewarden run at WHEN exits 0, stderr matching PATTERN.
zw_run() {
	expect_run "$1" 0 "$3" "$ZW" --now "$2" run --config "$WORK/zw.conf"
}

reload_count() {
	if [ -f "$RELOADS" ]; then wc -l <"$RELOADS"; else echo 0; fi
}

expect_reloads() {      # LABEL N: the hook has run N times in all
	CHECKS=$((CHECKS + 1))
	[ "$(reload_count)" -eq "$2" ] ||
	    fail "$1: the reload hook ran $(reload_count) times, want $2: $(cat "$RELOADS" 2>/dev/null)"
}

output_serial() {
	awk '$4 == "SOA" { print $7; exit }' "$OUT"
}

epoch_of() {            # YYYYMMDDHHMMSS
	date -u -d "$(echo "$1" | sed 's/^\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)$/\1-\2-\3 \4:\5:\6/')" +%s
}

soa_rdata() {           # SERIAL: the fixture's SOA with that serial
	echo "ns1.$Z. hostmaster.$Z. $1 7200 3600 1209600 300"
}

# nsd_serves LABEL NAME TYPE RDATA: NSD answers NAME TYPE with RDATA (and its
# RRSIG) within SERVERS_WAIT seconds: a reload takes a moment.
nsd_serves() {
	CHECKS=$((CHECKS + 1))
	ns_deadline=$(($(date +%s) + SERVERS_WAIT))
	while :; do
		dig +dnssec +norec +time=1 +tries=1 @127.0.0.1 -p "$NSD_PORT" "$2" "$3" >"$WORK/nsd.answer" 2>&1
		ns_got=$(awk -v name="$2." -v type="$3" '
		    $1 == name && $4 == type { $1 = $2 = $3 = $4 = ""; sub(/^ */, ""); print }' "$WORK/nsd.answer")
		if [ "$ns_got" = "$4" ]; then
			grep -q "^$2\.[[:space:]].*[[:space:]]RRSIG[[:space:]]*$3 " "$WORK/nsd.answer" && return 0
			fail "$1: NSD serves $2 $3 $4 without its RRSIG: $(cat "$WORK/nsd.answer")"
			return 1
		fi
		if [ "$(date +%s)" -ge "$ns_deadline" ]; then
			fail "$1: NSD serves $2 $3 '$ns_got', want '$4' (waited ${SERVERS_WAIT}s)"
			server_log nsd
			return 1
		fi
		sleep 0.1
	done
}

# validate LABEL WHEN SERIAL WWW: a fresh Unbound (empty cache) checking
# signatures at WHEN gives AD answers: the SOA with SERIAL, www A WWW.
validate() {
	start_unbound $Z "$DS" "$2" || { fail "$1: Unbound did not start"; return 1; }
	expect_answer "$1" $Z SOA NOERROR ad "$(soa_rdata "$3")"
	expect_answer "$1" www.$Z A NOERROR ad "$4"
}

# 0. Before DNSSEC: NSD, with remote control, serves the operator's unsigned
#    zone from the path zonewarden is configured to write.
cp "$IN" "$OUT"
if ! start_nsd $Z "$OUT" "$WORK/nsd-control"; then
	fail "NSD did not start"
	finish
	exit
fi
INPUT_SERIAL=$(dig +short +norec +time=2 +tries=1 @127.0.0.1 -p "$NSD_PORT" $Z SOA | awk '{ print $3 }')
CHECKS=$((CHECKS + 1))
[ "$INPUT_SERIAL" -gt 0 ] 2>/dev/null || fail "unsigned: NSD serves no SOA serial: '$INPUT_SERIAL'"

# 1. The first run makes keys, signs, and reloads NSD through the hook.
zw_run first-run $NOW "made a KSK and a ZSK" && {
	CHECKS=$((CHECKS + 1))
	grep -q "signed: .*reloaded" "$WORK/stderr" || fail "first run: $(cat "$WORK/stderr")"
}
expect_reloads first-run 1
CHECKS=$((CHECKS + 1))
[ "$(cat "$RELOADS" 2>/dev/null)" = "$Z $OUT" ] || fail "first run: hook called as '$(cat "$RELOADS")'"
SERIAL1=$(output_serial)
CHECKS=$((CHECKS + 1))
[ "$SERIAL1" -gt "$INPUT_SERIAL" ] 2>/dev/null || fail "first run: serial '$SERIAL1' after $INPUT_SERIAL"
nsd_serves first-run $Z SOA "$(soa_rdata "$SERIAL1")"
expect_run "keys ds" 0 "" "$ZW" --now $NOW keys ds $Z --keydir "$KEYS"
cp "$WORK/stdout" "$DS"
CHECKS=$((CHECKS + 1))
grep -q "^$Z\.[[:space:]].*[[:space:]]DS[[:space:]]" "$DS" || fail "keys ds printed no DS: $(cat "$DS")"

# 2. Unbound, below that DS, validates what NSD serves.
validate first-run $((NOW_EPOCH + 3600)) "$SERIAL1" 192.0.2.80

# 3. An hour later nothing is due: the file is not touched, nothing reloads.
before=$(stat -c '%i %.9Y %s' "$OUT")
zw_run nothing-due 20261122010000 "nothing due (serial $SERIAL1"
CHECKS=$((CHECKS + 1))
[ "$(stat -c '%i %.9Y %s' "$OUT")" = "$before" ] ||
    fail "nothing due: output rewritten: $before, now $(stat -c '%i %.9Y %s' "$OUT")"
expect_reloads nothing-due 1

# 4. Past the refresh point (14d validity, 5d refresh): signed again, a new
#    serial, which NSD serves only because the hook reloaded it; Unbound,
#    checking at the new time, still validates.
REFRESH=20261201000000
zw_run refresh $REFRESH "signed: signatures near expiry.*reloaded"
SERIAL2=$(output_serial)
CHECKS=$((CHECKS + 2))
[ "$SERIAL2" -gt "$SERIAL1" ] 2>/dev/null || fail "refresh: serial '$SERIAL2' after $SERIAL1"
grep -q "serial $SERIAL2," "$WORK/stderr" || fail "refresh: stderr does not name serial $SERIAL2: $(cat "$WORK/stderr")"
[ "$(stat -c '%i %.9Y %s' "$OUT")" != "$before" ] || fail "refresh: output not replaced"
expect_reloads refresh 2
nsd_serves refresh $Z SOA "$(soa_rdata "$SERIAL2")"
validate refresh $(($(epoch_of $REFRESH) + 3600)) "$SERIAL2" 192.0.2.80

# 5. An input change: the new address is signed, served and validated.
CHANGED=20261201010000
sed -i 's/^\(www[[:space:]].*[[:space:]]A[[:space:]]*\)192\.0\.2\.80$/\1192.0.2.88/' "$IN"
CHECKS=$((CHECKS + 1))
grep -q '192\.0\.2\.88$' "$IN" || fail "input change: the www A edit did not take"
zw_run input-changed $CHANGED "signed: input changed.*www\.$Z\. A.*reloaded"
SERIAL3=$(output_serial)
CHECKS=$((CHECKS + 1))
[ "$SERIAL3" -gt "$SERIAL2" ] 2>/dev/null || fail "input change: serial '$SERIAL3' after $SERIAL2"
expect_reloads input-changed 3
nsd_serves input-changed www.$Z A 192.0.2.88
validate input-changed $(($(epoch_of $CHANGED) + 3600)) "$SERIAL3" 192.0.2.88

# 6. Negative control: an address changed in the published file behind
#    zonewarden's back. NSD does not see it until told to reload; once it
#    serves it, Unbound refuses it and still accepts the rest.
sed 's/^\(www\.example\.test\.[[:space:]].*[[:space:]]A[[:space:]]*\)192\.0\.2\.88$/\1192.0.2.89/' \
    "$OUT" >"$WORK/tampered"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '192\.0\.2\.89$' "$WORK/tampered")" = 1 ] || fail "tampered: the www A edit did not take"
mv "$WORK/tampered" "$OUT"
nsd_serves "tampered, not reloaded" www.$Z A 192.0.2.88
CHECKS=$((CHECKS + 1))
nsd-control -c "$WORK/nsd.conf" reload $Z >"$WORK/nsd-control.out" 2>&1 ||
    fail "tampered: nsd-control reload: $(cat "$WORK/nsd-control.out")"
nsd_serves tampered www.$Z A 192.0.2.89
if start_unbound $Z "$DS" $(($(epoch_of $CHANGED) + 3600)); then
	expect_answer tampered www.$Z A SERVFAIL noad -
	CHECKS=$((CHECKS + 1))
	grep -q "validation failure <www\.$Z\. A IN>" "$WORK/unbound.log" ||
	    fail "tampered: SERVFAIL but no validation failure logged: $(server_log unbound)"
	expect_answer tampered www.$Z AAAA NOERROR ad 2001:db8::80
else
	fail "tampered: Unbound did not start"
fi

# 7. The next run sees that the published data is not the input's: signed
#    again, reloaded, and Unbound validates the right address.
REPAIR=20261201020000
zw_run repair $REPAIR "signed: .*reloaded"
SERIAL4=$(output_serial)
expect_reloads repair 4
nsd_serves repair www.$Z A 192.0.2.88
validate repair $(($(epoch_of $REPAIR) + 3600)) "$SERIAL4" 192.0.2.88

stop_unbound
stop_nsd
finish
