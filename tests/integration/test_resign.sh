# Incremental re-signing: signing again over our own previous output keeps the
# signatures that are still good, makes new ones exactly where the data, the
# keys or the time demand it, moves the serial on from the published one, and
# the result is accepted by both verifiers every time. A damaged previous
# output is never trusted into a bad zone.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
ZONE=zones/example/example.com.zone
OUT="$WORK/example.com.signed"
KEYS="$WORK/keys"
"$ZW" --now $NOW -q keys init example.com --keydir "$KEYS" || fail "keys init"

# resign NAME WHEN INPUT [OPTIONS...]: sign INPUT over $OUT at WHEN; sets MADE,
# REUSED, SERIAL from the -v report.
resign() {
	rs_name=$1 rs_when=$2 rs_in=$3
	shift 3
	expect_run "$rs_name" 0 "" "$ZW" --now "$rs_when" -v sign example.com \
	    --in "$rs_in" --out "$OUT" --keydir "$KEYS" "$@" || return 1
	report=$(grep "signatures made" "$WORK/stderr")
	MADE=$(echo "$report" | sed -n 's/.*: \([0-9]*\) signatures made.*/\1/p')
	REUSED=$(echo "$report" | sed -n 's/.* \([0-9]*\) reused.*/\1/p')
	SERIAL=$(echo "$report" | sed -n 's/.*serial \([0-9]*\),.*/\1/p')
	COPIED=$(echo "$report" | sed -n 's/.*(\([0-9]*\) lines copied.*/\1/p')
	verify_at "$rs_name" "$rs_when"
}

# verify_at NAME TIME: both verifiers accept $OUT one hour after TIME.
verify_at() {
	va_epoch=$(( $(date -u -d "$(echo "$2" | sed 's/^\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)$/\1-\2-\3 \4:\5:\6/')" +%s) + 3600 ))
	va_text=$(date -u -d "@$va_epoch" +%Y%m%d%H%M%S)
	CHECKS=$((CHECKS + 2))
	ldns-verify-zone -V 1 -t "$va_text" "$OUT" >"$WORK/v.out" 2>&1 ||
		fail "$1: ldns-verify-zone refuses it: $(tail -n 3 "$WORK/v.out")"
	ZW_FIXCLOCK=$va_epoch LD_PRELOAD="$ZW_FIXCLOCK_SO" \
	    dnssec-verify -q -o example.com "$OUT" >"$WORK/v.out" 2>&1 ||
		fail "$1: dnssec-verify refuses it: $(tail -n 3 "$WORK/v.out")"
}

# check NAME CONDITION...: one assertion.
check() {
	ck_name=$1
	shift
	CHECKS=$((CHECKS + 1))
	"$@" || fail "$ck_name (made=$MADE reused=$REUSED serial=$SERIAL)"
}

resign first-sign $NOW "$ZONE"
check "first sign makes every signature" [ "$REUSED" = 0 ]
TOTAL=$MADE
FIRST_SERIAL=$SERIAL

# Nothing changed and nothing due a day later: the output says it was made
# from this input, keys and settings, so it is left as it is.
cp "$OUT" "$WORK/before"
expect_run up-to-date 0 "is up to date" "$ZW" --now 20261123000000 -v sign \
    example.com --in "$ZONE" --out "$OUT" --keydir "$KEYS"
check "up to date: the output is not rewritten" cmp -s "$OUT" "$WORK/before"
check "up to date: its last line names how it was made" \
    sh -c "tail -n 1 '$OUT' | grep -q '^; zonewarden-signed 1 input=[0-9a-f]\{32\} setup=[0-9a-f]\{64\} signed=1795305600 due=[0-9]* serial=$FIRST_SERIAL body=[0-9a-f]\{32\}\$'"
# A copy of the output is up to date too: its own bytes are checked, not where it is.
cp "$OUT" "$WORK/copy.signed"
expect_run up-to-date-copy 0 "is up to date" "$ZW" --now 20261123000000 sign \
    example.com --in "$ZONE" --out "$WORK/copy.signed" --keydir "$KEYS"

# The same records in other bytes (a comment added): read in, and only the
# SOA (new serial) is signed again.
{ cat "$ZONE"; echo "; a comment"; } >"$WORK/commented.zone"
cp "$OUT" "$WORK/before-same"
resign same-records 20261123000000 "$WORK/commented.zone"
check "unchanged records: one new signature (SOA)" [ "$MADE" = 1 ]
# Every line but the SOA's, its signature's and the last is copied as it was.
check "unchanged records: the other lines copied" \
    [ "$COPIED" = $(($(wc -l <"$OUT") - 3)) ]
check "unchanged records: only those three lines differ" \
    [ "$(diff "$WORK/before-same" "$OUT" | grep -c '^>')" = 3 ]
check "unchanged records: the rest kept" [ "$REUSED" = $((TOTAL - 1)) ]
check "serial moves on from the published one" [ "$SERIAL" = $((FIRST_SERIAL + 1)) ]

# One byte of the output changed after it was written (its last line kept):
# not trusted as up to date, signed again.
sed 's/^\(mail[^;]*\)192\.0\.2\.25$/\1192.0.2.99/' "$OUT" >"$WORK/edited"
CHECKS=$((CHECKS + 1))
cmp -s "$OUT" "$WORK/edited" && fail "the output edit did not take"
cp "$WORK/edited" "$OUT"
resign edited-output 20261123003000 "$WORK/commented.zone"
check "edited output: signed again, not left as it is" [ -n "$MADE" ]
check "edited output: the input's address is back" grep -q "192\.0\.2\.25$" "$OUT"

# A hand edit that keeps every record (a comment at the end of a line): the
# file is no longer what we wrote, so none of its lines is copied as it is.
awk '!done && $4 == "A" { $0 = $0 " ; hand note"; done = 1 } { print }' "$OUT" >"$WORK/noted"
CHECKS=$((CHECKS + 1))
grep -q "hand note" "$WORK/noted" || fail "the note edit did not take"
cp "$WORK/noted" "$OUT"
resign hand-note 20261123004500 "$WORK/commented.zone"
check "hand-edited output: no line of it copied" sh -c "! grep -q 'hand note' '$OUT'"
check "hand-edited output: no line copied at all" [ "$COPIED" = 0 ]

# An output of an earlier version, whose last line gave SHA-256 file digests
# (64 hex digits): not taken for ours, so no line of it is copied, but its
# signatures are kept (each verified first), and the new output has the
# present form.
sed '$ s/^\(; zonewarden-signed 1 input=\)\([0-9a-f]*\)\(.*body=\)\([0-9a-f]*\)$/\1\2\2\3\4\4/' \
    "$OUT" >"$WORK/older"
CHECKS=$((CHECKS + 1))
tail -n 1 "$WORK/older" | grep -q 'body=[0-9a-f]\{64\}$' ||
	fail "the older-manifest edit did not take"
cp "$WORK/older" "$OUT"
resign older-version 20261123005000 "$WORK/commented.zone"
check "older version's output: no line copied" [ "$COPIED" = 0 ]
check "older version's output: its signatures kept" [ "$MADE" = 1 ]
check "older version's output: now in the present form" \
    sh -c "tail -n 1 '$OUT' | grep -q 'input=[0-9a-f]\{32\} .* body=[0-9a-f]\{32\}\$'"

# One address changed: its A RRset and the SOA are signed anew, nothing else.
sed 's/^mail\(.*\)192\.0\.2\.25$/mail\1192.0.2.26/' "$ZONE" >"$WORK/changed.zone"
CHECKS=$((CHECKS + 1))
cmp -s "$ZONE" "$WORK/changed.zone" && fail "the fixture edit did not take"
resign one-change 20261123010000 "$WORK/changed.zone"
check "one changed RRset: two new signatures" [ "$MADE" = 2 ]
check "one changed RRset: the new address is published" grep -q "192\.0\.2\.26$" "$OUT"

# A new name: its RRset, the NSEC3 records around it and the SOA.
cp "$WORK/changed.zone" "$WORK/added.zone"
printf 'newhost\tIN\tA\t192.0.2.77\n' >>"$WORK/added.zone"
resign new-name 20261123020000 "$WORK/added.zone"
check "new name: a few new signatures" [ "$MADE" -ge 3 ] && [ "$MADE" -le 5 ]

# Ten days on, every signature expires within the 5-day refresh window: all new.
resign refresh-window 20261202000000 "$WORK/added.zone"
check "inside the refresh window: every signature made anew" [ "$REUSED" = 0 ]
# With a shorter refresh window, they are kept again.
resign short-refresh 20261202010000 "$WORK/added.zone" --refresh 1d
check "outside a 1d refresh window: kept" [ "$MADE" = 1 ]

# A shorter validity applies to the kept signatures too: all made anew.
resign shorter-validity 20261202013000 "$WORK/added.zone" --validity 3d --refresh 1d
check "a shorter validity: nothing kept that outlives it" [ "$REUSED" = 0 ]

# New keys: no old signature is kept.
rm -rf "$KEYS"
"$ZW" --now $NOW -q keys init example.com --keydir "$KEYS" || fail "keys init (new keys)"
resign new-keys 20261202020000 "$WORK/added.zone"
check "new keys: nothing reused" [ "$REUSED" = 0 ]

# --full ignores the previous output (a date serial: ahead of the input's).
resign full 20261202030000 "$WORK/added.zone" --full --serial dateserial
check "--full: nothing reused" [ "$REUSED" = 0 ]
PREV_SERIAL=$SERIAL

# A damaged signature in the previous output (small zones verify every kept
# signature): a warning, then everything is signed anew and the zone verifies.
sed '0,/\tRRSIG\tA /{/\tRRSIG\tA /s/[A-Za-z0-9+\/]\{6\}==$/AAAAAA==/}' "$OUT" >"$WORK/damaged"
CHECKS=$((CHECKS + 1))
[ "$(diff "$OUT" "$WORK/damaged" | grep -c '^>')" = 1 ] || fail "the damage is not one line"
mv "$WORK/damaged" "$OUT"
resign damaged-previous 20261202040000 "$WORK/added.zone" --serial increment
check "damaged previous output: not up to date" sh -c "! grep -q 'is up to date' '$WORK/stderr'"
check "damaged previous output: warned" grep -q "sig-bogus: RRSIG.*does not verify" "$WORK/stderr"
check "damaged previous output: signed anew" grep -q "self-check failed with signatures kept from this previous output" "$WORK/stderr"
check "damaged previous output: nothing reused" [ "$REUSED" = 0 ]
# Signed anew, the serial still moves on from the one published.
check "damaged previous output: serial $SERIAL follows $PREV_SERIAL" \
    [ "$SERIAL" = $((PREV_SERIAL + 1)) ]
# The first attempt was written while its self-check ran: its temporary
# file went with it.
check "damaged previous output: no temporary file left" \
    sh -c "! ls '$OUT'.tmp.* >/dev/null 2>&1"

# The same in a zone too large to verify every kept signature (more than
# 1024 RRsets, where the self-check takes a sample of our own): the file
# is no longer what we wrote, so its signatures are not trusted; each is
# verified before it is kept and the damaged one is never published.
awk '{ print } END { for (i = 1; i <= 1500; i++) printf "big%d\tIN\tA\t198.51.100.%d\n", i, i % 250 + 1 }' \
    "$WORK/added.zone" >"$WORK/big.zone"
resign big-first 20261202041000 "$WORK/big.zone"
awk 'BEGIN { OFS = "\t" } /^big1234\.example\.com\.\t.*\tRRSIG\tA / && !done {
	s = $NF; c = substr(s, 10, 1); $NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11); done = 1 }
	{ print }' "$OUT" >"$WORK/damaged"
CHECKS=$((CHECKS + 1))
[ "$(diff "$OUT" "$WORK/damaged" | grep -c '^>')" = 1 ] || fail "big zone: the damage is not one line"
mv "$WORK/damaged" "$OUT"
sed 's/^big1\tIN\tA\t.*/big1\tIN\tA\t203.0.113.1/' "$WORK/big.zone" >"$WORK/big2.zone"
resign big-damaged 20261202042000 "$WORK/big2.zone"
check "big zone, damaged previous output: no line copied" [ "$COPIED" = 0 ]
check "big zone, damaged previous output: warned that it changed" \
    grep -q "changed since it was written" "$WORK/stderr"
check "big zone, damaged previous output: the bad signature is caught" \
    grep -q "self-check failed with signatures kept from this previous output" "$WORK/stderr"
expect_run big-damaged-check 0 "" "$ZW" --now 20261202043000 check \
    example.com --signed "$OUT"
check "big zone, damaged previous output: check finds nothing wrong in the result" \
    grep -q "^CHECK OK - example.com: 0 errors, 0 warnings" "$WORK/stdout"
# Written by us and unchanged: kept signatures are trusted (checked by sample).
sed 's/^big2\tIN\tA\t.*/big2\tIN\tA\t203.0.113.2/' "$WORK/big2.zone" >"$WORK/big3.zone"
resign big-intact 20261202044000 "$WORK/big3.zone"
check "big zone, intact previous output: signatures kept" [ "$REUSED" -gt 1500 ]
check "big zone, intact previous output: lines copied" [ "$COPIED" -gt 3000 ]
check "big zone, intact previous output: no warning" sh -c "! grep -q warning '$WORK/stderr'"

# A previous output that does not parse: a warning and a full sign.
echo "garbage here" >"$OUT"
resign unreadable-previous 20261202050000 "$WORK/added.zone"
check "unreadable previous output: warned" grep -q "previous output not usable" "$WORK/stderr"
check "unreadable previous output: nothing reused" [ "$REUSED" = 0 ]
# An input that is a FIFO: never taken as up to date (nor read twice, which
# would hang), whatever zonewarden then makes of it; bounded in time.
resign fifo-before 20261202053000 "$WORK/added.zone"
mkfifo "$WORK/fifo"
(cat "$WORK/added.zone" >"$WORK/fifo" &)
CHECKS=$((CHECKS + 1))
timeout 20 "$ZW" --now 20261202054000 sign example.com --in "$WORK/fifo" --out "$OUT" \
    --keydir "$KEYS" >"$WORK/stdout" 2>"$WORK/stderr"
fifo_rc=$?
[ $fifo_rc != 124 ] || fail "a FIFO input hangs the signer"
grep -q "is up to date" "$WORK/stderr" && fail "a FIFO input was taken as up to date"
timeout 5 cat "$WORK/fifo" >/dev/null 2>&1 &

# An input with $INCLUDE is never taken as up to date (the included file
# could change unseen): signed again each time.
cp "$ZONE" "$WORK/main.zone"
echo '$INCLUDE extra.zone' >>"$WORK/main.zone"
printf 'extra\tIN\tA\t192.0.2.88\n' >"$WORK/extra.zone"
resign include-first 20261202060000 "$WORK/main.zone"
resign include-again 20261202070000 "$WORK/main.zone"
check "\$INCLUDE: signed again (SOA)" [ "$MADE" = 1 ]
finish
