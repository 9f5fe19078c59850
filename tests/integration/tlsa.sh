# What the tests of a served zone share (the TLSA ones, check --live): the
# zone $Z with the mail host $H, signed into $Z.signed in $WORK, served by
# the NSD of servers.sh and validated by its Unbound (trust anchor
# $WORK/ds). Sourced after tests/lib.sh and servers.sh.
#
#   o ARGS...                    openssl, its chatter to openssl.log
#   spki311 CERT                 the 3 1 1 digest of a certificate (PEM)
#   sorted WORD...               the words sorted, on one line
#   tlsa_at [PORT]               the TLSA digests $Z.signed publishes at
#                                _PORT._tcp.$H (25), sorted, on one line
#   wait_served                  until NSD on 127.0.0.1 serves $Z.signed's serial
#   validated LABEL TIME PORT DIGEST...
#                                Unbound, at TIME, answers exactly these TLSA
#                                records at _PORT._tcp.$H, with AD
#   live LABEL EXIT PATTERN TIME `zonewarden check $Z --live` asking NSD at
#                                127.0.0.1@$PORT (with the DS set in ds), at
#                                TIME, exits EXIT; its output (live.out)
#                                matches PATTERN
#   probed LABEL TIME WHICH      `zonewarden tlsa probe $H` through Unbound, at
#                                TIME, matches the record it names WHICH
#                                (current, next, ...) on 127.0.0.25, ECDSA

o() { openssl "$@" 2>>"$WORK/openssl.log"; }

spki311() {
	o x509 -in "$1" -pubkey -noout | o pkey -pubin -outform DER | o dgst -sha256 -r | awk '{ print $1 }'
}

sorted() { printf '%s\n' "$@" | sort | paste -sd' ' -; }

tlsa_at() {
	awk -v o="_${1:-25}._tcp.$H." 'tolower($1) == o && $4 == "TLSA" { print tolower($8) }' \
	    "$WORK/$Z.signed" | sort | paste -sd' ' -
}

wait_served() {
	ts_want=$(awk '$4 == "SOA" { print $7; exit }' "$WORK/$Z.signed")
	ts_n=0
	until [ "$(dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$NSD_PORT" "$Z" SOA |
	    awk '{ print $3 }')" = "$ts_want" ]; do
		ts_n=$((ts_n + 1))
		[ $ts_n -lt 50 ] || { fail "NSD does not serve serial $ts_want"; return 1; }
		sleep 0.1
	done
}

validated() {
	ts_label=$1 ts_when=$2 ts_port=$3
	shift 3
	wait_served
	start_unbound "$Z" "$WORK/ds" "$ts_when" || { fail "$ts_label: Unbound did not start"; return 1; }
	CHECKS=$((CHECKS + 1))
	dig_at "$UNBOUND_PORT" "_$ts_port._tcp.$H" TLSA >"$WORK/answer" 2>&1
	ts_got=$(awk '/^;; ANSWER SECTION:/ { on = 1; next } /^$/ { on = 0 }
	    on && $4 == "TLSA" { $1 = $2 = $3 = $4 = $5 = $6 = $7 = ""; gsub(/ /, ""); print tolower($0) }' \
	    "$WORK/answer" | sort | paste -sd' ' -)
	if ! grep -q "status: NOERROR" "$WORK/answer" ||
	    ! sed -n 's/^;; flags:\([^;]*\);.*/\1 /p' "$WORK/answer" | grep -q " ad " ||
	    [ "$ts_got" != "$(sorted "$@")" ]; then
		fail "$ts_label: _$ts_port._tcp.$H: want $* with AD: $(grep -E 'status|flags' "$WORK/answer") records: $ts_got"
		server_log unbound
	fi
	stop_unbound
}

probed() {
	start_unbound "$Z" "$WORK/ds" "$2" || { fail "$1: Unbound did not start"; return 1; }
	CHECKS=$((CHECKS + 1))
	"$ZW" --now "$2" tlsa probe "$H" --resolver "127.0.0.1@$UNBOUND_PORT" --config "$WORK/zw.conf" \
	    --timeout 5 >"$WORK/probe.out" 2>&1 ||
		fail "$1: the probe failed: $(cat "$WORK/probe.out")"
	grep -q "^127.0.0.25 ECDSA: ok: matched (3 1 1 .*, $3, depth 0)" "$WORK/probe.out" ||
		fail "$1: the probe did not match the $3 record: $(cat "$WORK/probe.out")"
	stop_unbound
}

live() {
	CHECKS=$((CHECKS + 1))
	"$ZW" --now "$4" check $Z --live --resolver 127.0.0.1@$PORT --ds ds >live.out 2>live.err
	got=$?
	if [ "$got" != "$2" ]; then
		fail "$1: exit $got, want $2: $(cat live.out live.err)"
	elif ! grep -q -- "$3" live.out; then
		fail "$1: output lacks '$3': $(cat live.out)"
	fi
}
