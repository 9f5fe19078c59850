# zonewarden run, status and config check from a config file: the first run
# makes keys and signs, a run with nothing due leaves the output untouched,
# moving the clock past the refresh point or changing the input signs again,
# a failing reload is retried, a held lock gives the locked exit code, and
# config errors name file and line.
. tests/lib.sh

cd "$WORK" || exit 1
mkdir out
cp "$TESTDATA/../../zones/example/example.com.zone" example.com.zone
cat >zw.conf <<'CONF'
# relative paths are taken from this file's folder
[defaults]
keydir = keys/example.com
reload = echo %z %f >>reloads

[zone example.com]
input = example.com.zone
output = out/example.com.signed
CONF

expect_run config-check 0 "1 zone, no errors" "$ZW" config check --config zw.conf

# First run: keys made, zone signed, reload run once.
expect_run first-run 0 "signed: no signed output yet" "$ZW" --now $NOW run --config zw.conf
CHECKS=$((CHECKS + 3))
grep -q "made a KSK and a ZSK" "$WORK/stderr" || fail "first run: no word of the new keys"
[ -s out/example.com.signed ] || fail "first run: no output"
[ "$(cat reloads)" = "example.com out/example.com.signed" ] ||
	fail "first run: reload ran as '$(cat reloads)'"
ls keys/example.com/Kexample.com.+013+*.private >/dev/null 2>&1 || fail "first run: no ECDSA keys"
before=$(stat -c '%i %Y %s' out/example.com.signed)
sum=$(sha256sum <out/example.com.signed)

# An hour later nothing is due: the file is not rewritten, nothing reloads.
sleep 1
expect_run nothing-due 0 "nothing due (serial 2026112202" "$ZW" --now 20261122010000 run --config zw.conf
CHECKS=$((CHECKS + 2))
[ "$(stat -c '%i %Y %s' out/example.com.signed)" = "$before" ] || fail "nothing due: output rewritten"
[ "$(wc -l <reloads)" = 1 ] || fail "nothing due: reload ran"
expect_run dry-run 0 "nothing due" "$ZW" --now 20261122020000 run --config zw.conf --dry-run

# The status shows the serials, keys and last run; --json too.
expect_run status 0 "" "$ZW" --now 20261122020000 status --config zw.conf
CHECKS=$((CHECKS + 3))
grep -q "serial 2026112202" "$WORK/stdout" || fail "status: no output serial"
grep -q "KSK [0-9]* ECDSAP256SHA256" "$WORK/stdout" || fail "status: no KSK"
grep -q "last run *20261122010000: unchanged" "$WORK/stdout" || fail "status: last run: $(cat "$WORK/stdout")"
expect_run status-json 0 "" "$ZW" --now 20261122020000 status --config zw.conf --json
CHECKS=$((CHECKS + 1))
grep -q '"output_serial": 2026112202' "$WORK/stdout" || fail "status --json: $(cat "$WORK/stdout")"

# Past the refresh point (14d validity, 5d refresh): signed again, new serial, reloaded.
expect_run dry-run-due 0 "would sign: signatures near expiry" "$ZW" --now 20261201000000 run --config zw.conf --dry-run
CHECKS=$((CHECKS + 1))
[ "$(sha256sum <out/example.com.signed)" = "$sum" ] || fail "dry run changed the output"
expect_run refresh 0 "signed: signatures near expiry.*serial 2026112203" "$ZW" --now 20261201000000 run --config zw.conf
CHECKS=$((CHECKS + 1))
[ "$(wc -l <reloads)" = 2 ] || fail "refresh: no reload"

# An input change: signed again, keeping what still holds.
sed -i 's/^mail\(.*\)192\.0\.2\.25$/mail\1192.0.2.26/' example.com.zone
expect_run input-changed 0 "signed: input changed: mail.example.com. A changed; serial 2026112204, 2 signatures made" \
    "$ZW" --now 20261201010000 run --config zw.conf

# A reload that fails: exit 1, and the next run retries it although nothing is due.
sed -i 's/^reload = .*/reload = false/' zw.conf
sed -i 's/^mail\(.*\)192\.0\.2\.26$/mail\1192.0.2.27/' example.com.zone
expect_run reload-fails 1 "reload command 'false' failed with exit code 1" "$ZW" --now 20261201020000 run --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q '"reload_pending": true' keys/example.com/run-state.json || fail "reload failure not remembered"
sed -i 's/^reload = .*/reload = echo retried >>reloads/' zw.conf
expect_run reload-retried 0 "nothing due.*reload retried" "$ZW" --now 20261201030000 run --config zw.conf
CHECKS=$((CHECKS + 1))
[ "$(tail -n 1 reloads)" = retried ] || fail "reload not retried"

# A lock held by someone else: the locked exit code after --lock-wait, output untouched.
sum=$(sha256sum <out/example.com.signed)
flock keys/example.com/.lock sleep 5 &
holder=$!
sleep 0.5
expect_run locked 7 "held this zone's lock for 1 s" "$ZW" --now 20261210000000 run --config zw.conf --lock-wait 1
CHECKS=$((CHECKS + 1))
[ "$(sha256sum <out/example.com.signed)" = "$sum" ] || fail "locked run changed the output"
kill $holder 2>/dev/null
wait $holder 2>/dev/null

# Two runs at once: they take turns, both succeed, the output verifies.
"$ZW" --now 20261210000000 run --config zw.conf >run1.out 2>&1 &
p1=$!
"$ZW" --now 20261210000000 run --config zw.conf >run2.out 2>&1
r2=$?
wait $p1
r1=$?
CHECKS=$((CHECKS + 2))
[ "$r1" = 0 ] && [ "$r2" = 0 ] || fail "concurrent runs: exit $r1 and $r2: $(cat run1.out run2.out)"
[ "$(grep -c "signed: signatures near expiry" run1.out run2.out | awk -F: '{s += $2} END {print s}')" = 1 ] ||
	fail "concurrent runs: not exactly one signed: $(cat run1.out run2.out)"
if command -v ldns-verify-zone >/dev/null; then
	CHECKS=$((CHECKS + 1))
	ldns-verify-zone -V 0 -t 20261210010000 out/example.com.signed || fail "concurrent runs: output does not verify"
fi

# Naming zones: an unknown one is a usage error.
expect_run unknown-zone 2 "zone 'example.org' is not in zw.conf" "$ZW" --now $NOW run --config zw.conf example.org

# Config errors: file, line and what is wrong; exit 3; nothing signed.
printf '[zone example.com]\ninput = a\noutput = b\nsignature-validity = 2\n' >bad1.conf
expect_run bad-validity 3 "bad1.conf:4: signature-validity = 2: at least 1h" "$ZW" config check --config bad1.conf
printf '[zone example.com]\ninput = a\noutput = b\nreload-command = x\n' >bad2.conf
expect_run unknown-key 3 "bad2.conf:4: unknown key 'reload-command'" "$ZW" --now $NOW run --config bad2.conf
expect_run missing-config 6 "nothere.conf: cannot read the config file" "$ZW" config check --config nothere.conf
# A zone whose input breaks a rule: exit 3 naming its file and line; the other zone still runs.
printf '$ORIGIN broken.test.\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nwww CNAME a\nwww A 192.0.2.1\n' >broken.zone
cat >>zw.conf <<'CONF'

[zone broken.test]
input = broken.zone
output = out/broken.signed
keydir = keys/broken.test
CONF
# key-scheme = csk: one combined key signs everything.
mkdir csk
cp example.com.zone csk/
printf '[zone example.com]\ninput = example.com.zone\noutput = out.signed\nkeydir = keys\nkey-scheme = csk\n' >csk/zw.conf
expect_run csk-run 0 "made a CSK" "$ZW" --now $NOW run --config csk/zw.conf
expect_run csk-keys 0 "" "$ZW" keys list example.com --keydir csk/keys
CHECKS=$((CHECKS + 1))
[ "$(grep -c ' CSK ' "$WORK/stdout")" = 1 ] && [ "$(grep -c 'ZSK\|KSK' "$WORK/stdout")" = 0 ] ||
	fail "key-scheme = csk: $(cat "$WORK/stdout")"
expect_run one-zone-fails 3 "broken.zone:5: www.broken.test. A: CNAME and other data" "$ZW" --now 20261210020000 run --config zw.conf
CHECKS=$((CHECKS + 2))
grep -q "example.com: nothing due" "$WORK/stderr" || fail "the good zone did not run: $(cat "$WORK/stderr")"
[ ! -e out/broken.signed ] || fail "broken zone written"
finish
