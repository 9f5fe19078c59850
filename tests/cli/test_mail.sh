# TLS-RPT and MTA-STS publishing (issue 9): run puts the TLS-RPT record at
# _smtp._tls and the MTA-STS record at _mta-sts, signed; the policy file's
# mx lines are the zone's MX set; its id stays while the policy does and
# changes when the MX set or the mode does (the file is written first);
# the zone file's own records there are refused, with file and line.
. tests/lib.sh

cd "$WORK" || exit 1
cp "$TESTDATA/../../zones/example/example.com.zone" z
# The bundled zone has a TLS-RPT record of its own: the config takes over.
sed -i '/^_smtp\._tls/d' z
cat >zw.conf <<CONF
[zone example.com]
input = z
output = z.signed
keydir = keys
tls-rpt = mailto:tlsrpt@example.com https://report.example.com/v1
mta-sts = enforce
mta-sts-max-age = 14d
CONF
T=$NOW_EPOCH
expect_run first 0 "signed" "$ZW" --now $T run --config zw.conf
txt() { awk -v o="$1" '$1 == o && $4 == "TXT" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' z.signed; }
CHECKS=$((CHECKS + 5))
[ "$(txt _smtp._tls.example.com.)" = '"v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://report.example.com/v1"' ] ||
	fail "TLS-RPT record: $(txt _smtp._tls.example.com.)"
ID=$(txt _mta-sts.example.com. | sed -n 's/^"v=STSv1; id=\([0-9a-f]\{20\}\)"$/\1/p')
[ -n "$ID" ] || fail "MTA-STS record: $(txt _mta-sts.example.com.)"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 1209600\r\n' >want.txt
cmp -s want.txt z.signed.mta-sts.txt || fail "policy file: $(cat -A z.signed.mta-sts.txt)"
[ "$(stat -c %a z.signed.mta-sts.txt)" = 644 ] || fail "policy file mode $(stat -c %a z.signed.mta-sts.txt)"
grep -q "RRSIG	TXT .*" z.signed && awk '$1 == "_mta-sts.example.com." && $4 == "RRSIG"' z.signed | grep -q . ||
	fail "the MTA-STS record is not signed"
CHECKS=$((CHECKS + 1))
ldns-verify-zone -V 1 -t "$(date -u -d "@$((T + 60))" +%Y%m%d%H%M%S)" z.signed >v.out 2>&1 || fail "does not verify: $(cat v.out)"

# Nothing changed: the same id, the file left as it is.
touch -d @1 z.signed.mta-sts.txt
T=$((T + 3600))
expect_run again 0 "" "$ZW" --now $T run --config zw.conf
CHECKS=$((CHECKS + 2))
[ "$(txt _mta-sts.example.com. | sed 's/.*id=\([0-9a-f]*\).*/\1/')" = "$ID" ] || fail "id changed without a change"
[ "$(stat -c %Y z.signed.mta-sts.txt)" = 1 ] || fail "the policy file was rewritten without a change"

# A new MX host: in the policy, and a new id.
printf '@\tMX\t20 mx2\nmx2\tA\t192.0.2.26\n' >>z
T=$((T + 3600))
expect_run new-mx 0 "signed: input changed" "$ZW" --now $T run --config zw.conf
ID2=$(txt _mta-sts.example.com. | sed 's/.*id=\([0-9a-f]*\).*/\1/')
CHECKS=$((CHECKS + 2))
[ "$ID2" != "$ID" ] || fail "new MX host: the id did not change"
grep -q "^mx: mx2.example.com" z.signed.mta-sts.txt || fail "new MX host not in the policy: $(cat z.signed.mta-sts.txt)"

# The mode: testing while hosts change; a new id again.
sed -i 's/^mta-sts = enforce/mta-sts = testing/' zw.conf
T=$((T + 3600))
expect_run testing 0 "" "$ZW" --now $T run --config zw.conf
CHECKS=$((CHECKS + 2))
[ "$(txt _mta-sts.example.com. | sed 's/.*id=\([0-9a-f]*\).*/\1/')" != "$ID2" ] || fail "mode change: the id did not change"
grep -q "^mode: testing" z.signed.mta-sts.txt || fail "mode change: $(cat z.signed.mta-sts.txt)"

# zonewarden mail: the report. All well (mail with its TLSA from the
# deployed certificate, mx2 without TLSA: a warning, opportunistic TLS).
o() { openssl "$@" 2>>openssl.log; }
for c in cert other; do
	o ecparam -name prime256v1 -genkey -noout -out $c.key
	o req -new -x509 -key $c.key -subj /CN=mail.example.com -days 90 -out $c.pem
done
sed -i '/^_25\._tcp\.mail/d' z
printf 'tlsa = mail.example.com 25 cert.pem\n' >>zw.conf
T=$((T + 3600))
expect_run tlsa-from-cert 0 "signed" "$ZW" --now $T run --config zw.conf
expect_run mail-ok 1 "" "$ZW" --now $T mail example.com --config zw.conf
CHECKS=$((CHECKS + 4))
grep -q "^MAIL WARNING - example.com: 0 errors" "$WORK/stdout" || fail "mail-ok: $(cat "$WORK/stdout")"
grep -q "^mx 10 mail.example.com.: 192.0.2.25.* (signed); TLSA: 1; DANE senders: deliver with verified TLS (TLSA matches the deployed certificate)" "$WORK/stdout" ||
	fail "mail-ok: mail's line: $(cat "$WORK/stdout")"
grep -q "^mx 20 mx2.example.com.: .*DANE senders: no DANE" "$WORK/stdout" || fail "mail-ok: mx2's line: $(cat "$WORK/stdout")"
grep -q "^warning mx-without-tlsa" "$WORK/stdout" || fail "mail-ok: no mx-without-tlsa: $(cat "$WORK/stdout")"
"$ZW" --now $T mail example.com --config zw.conf --json >mail.json
CHECKS=$((CHECKS + 1))
python3 -c 'import json,sys; r = json.load(open("mail.json")); sys.exit(not (r["status"] == "WARNING" and r["mx"][0]["dane"] == "deliver with verified TLS" and r["mta_sts"].startswith("v=STSv1; id=")))' ||
	fail "mail --json: $(cat mail.json)"
# A renewed certificate deployed without its TLSA: stale, DANE senders defer.
cp other.pem cert.pem
expect_run mail-stale 2 "" "$ZW" --now $T mail example.com --config zw.conf
CHECKS=$((CHECKS + 2))
grep -q "^error tlsa-no-match _25._tcp.mail.example.com. TLSA" "$WORK/stdout" || fail "mail-stale: $(cat "$WORK/stdout")"
grep -q "^mx 10 mail.example.com.: .*DANE senders: defer: tlsa-invalid" "$WORK/stdout" || fail "mail-stale: verdict: $(cat "$WORK/stdout")"
cp cert.pem other.pem
T=$((T + 3600))
expect_run tlsa-renewed 0 "signed" "$ZW" --now $T run --config zw.conf
# An MX at a CNAME (www is one): an error.
printf '@\tMX\t30 www\n' >>z
T=$((T + 3600))
expect_run mx-cname-run 0 "signed" "$ZW" --now $T run --config zw.conf
expect_run mail-cname 2 "" "$ZW" --now $T mail example.com --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "^error mx-cname MX host www.example.com. is a CNAME" "$WORK/stdout" || fail "mail-cname: $(cat "$WORK/stdout")"
sed -i '/^@\tMX\t30 www$/d' z
T=$((T + 3600))
expect_run mx-cname-gone 0 "signed" "$ZW" --now $T run --config zw.conf
# The policy file edited by hand to name an old host, mode enforce: the
# new hosts are refused by enforcing senders, and the id no longer matches.
sed -i 's/^mx: mx2.example.com/mx: old.example.com/; s/^mode: .*/mode: enforce/' z.signed.mta-sts.txt
expect_run mail-enforce 2 "" "$ZW" --now $T mail example.com --config zw.conf
CHECKS=$((CHECKS + 2))
grep -q "^error mta-sts-mx-missing MX host mx2.example.com. is not in the MTA-STS policy (mode enforce): enforcing senders refuse" "$WORK/stdout" ||
	fail "mail-enforce: $(cat "$WORK/stdout")"
grep -q "^error mta-sts-id-mismatch" "$WORK/stdout" || fail "mail-enforce: no id mismatch: $(cat "$WORK/stdout")"
# The same in mode testing: a warning only (the id still differs).
sed -i 's/^mode: enforce/mode: testing/' z.signed.mta-sts.txt
expect_run mail-testing 2 "" "$ZW" --now $T mail example.com --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "^warning mta-sts-mx-missing MX host mx2.example.com." "$WORK/stdout" || fail "mail-testing: $(cat "$WORK/stdout")"
# A bad TLS-RPT record, in a zone signed elsewhere (--signed, no config).
{ grep -v '^_smtp\._tls' z.signed; printf '_smtp._tls.example.com.\t300\tIN\tTXT\t"v=TLSRPTv1; rua=ftp://x"\n'; } >hand.zone
expect_run mail-bad-rpt 2 "" "$ZW" --now $T mail example.com --signed hand.zone
CHECKS=$((CHECKS + 1))
grep -q '^error tls-rpt-bad the TLS-RPT record is not' "$WORK/stdout" || fail "mail-bad-rpt: $(cat "$WORK/stdout")"
# An empty rua, an MX host without addresses, one with a long IPv6 name.
{ grep -v '^_smtp\._tls' z.signed; printf '_smtp._tls.example.com.\t300\tIN\tTXT\t"v=TLSRPTv1; rua=;"\n'
  printf 'example.com.\t300\tIN\tMX\t60 noaddr.example.com.\n'
  printf 'example.com.\t300\tIN\tMX\t70 a-rather-long-mail-host-name-for-buffers.example.com.\n'
  printf 'a-rather-long-mail-host-name-for-buffers.example.com.\t300\tIN\tAAAA\t2001:db8:1234:5678:9abc:def0:1234:5678\n'; } >hand2.zone
expect_run mail-odd 2 "" "$ZW" --now $T mail example.com --signed hand2.zone
CHECKS=$((CHECKS + 4))
grep -q '^error tls-rpt-bad' "$WORK/stdout" || fail "mail-odd: empty rua accepted: $(cat "$WORK/stdout")"
grep -q '^error mx-no-address MX host noaddr.example.com.' "$WORK/stdout" || fail "mail-odd: $(cat "$WORK/stdout")"
grep -q '^mx 70 a-rather-long-mail-host-name-for-buffers.example.com.: 2001:db8:1234:5678:9abc:def0:1234:5678 ' "$WORK/stdout" ||
	fail "mail-odd: the long host's address: $(cat "$WORK/stdout")"
grep -q '^error mx-no-address MX host a-rather' "$WORK/stdout" && fail "mail-odd: the long host taken for address-less"

# mail plan: the steps to new MX hosts, the waits from the MX TTL (3600
# here), the TLSA TTL and propagation delay, and max_age.
printf 'tlsa-ttl = 5m\npropagation-delay = 1m\n' >>zw.conf
sed -i 's/^mta-sts = .*/mta-sts = enforce/' zw.conf
expect_run plan 0 "" "$ZW" --now $T mail plan example.com --config zw.conf --mx mx9.example.com:5
CHECKS=$((CHECKS + 6))
grep -q "^Moving the mail of example.com to: mx9.example.com (preference 5)" "$WORK/stdout" || fail "plan: $(cat "$WORK/stdout")"
grep -q "^1\. Lower the MX TTL to 5m .* wait 1h (the TTL caches hold now) + 1m (propagation)" "$WORK/stdout" || fail "plan step 1: $(cat "$WORK/stdout")"
grep -q "^2\. Publish the new hosts' TLSA first: .*wait 11m (2 x tlsa-ttl + propagation-delay)" "$WORK/stdout" || fail "plan step 2: $(cat "$WORK/stdout")"
grep -q "^3\. Set mta-sts = testing, run, and wait 14d" "$WORK/stdout" || fail "plan step 3: $(cat "$WORK/stdout")"
grep -q "^8\. Set mta-sts = enforce again (the policy now lists the new hosts)" "$WORK/stdout" || fail "plan step 8: $(cat "$WORK/stdout")"
grep -q "^At least 14d1h30m from the first step to the last" "$WORK/stdout" || fail "plan total: $(cat "$WORK/stdout")"
expect_run plan-usage 2 "give ZONE and --mx" "$ZW" mail plan example.com --config zw.conf
expect_run plan-bad-prio 2 "a number from 0 to 65535" "$ZW" mail plan example.com --config zw.conf --mx x.example.com:abc

# A dry run writes nothing, not the policy file either.
rm z.signed.mta-sts.txt
sed -i 's/^mta-sts = testing/mta-sts = enforce/' zw.conf
expect_run dry-run 0 "" "$ZW" --now $((T + 1800)) run --config zw.conf --dry-run
CHECKS=$((CHECKS + 1))
[ -e z.signed.mta-sts.txt ] && fail "a dry run wrote the policy file"
# The real run writes it (enforce), for the failed run below to keep.
expect_run enforce 0 "" "$ZW" --now $((T + 1800)) run --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "^mode: enforce" z.signed.mta-sts.txt || fail "enforce: $(cat z.signed.mta-sts.txt)"

# The zone file's own record where the config publishes one: refused,
# naming the line; nothing written.
printf '@\tMX\t40 mx4\nmx4\tA\t192.0.2.27\n_mta-sts\tTXT\t"v=STSv1; id=hand"\n' >>z
sum=$(sha256sum <z.signed)
policy_sum=$(sha256sum <z.signed.mta-sts.txt)
expect_run conflict 3 "z:$(wc -l <z): _mta-sts.example.com. TXT: the config's mta-sts publishes this TXT set" \
    "$ZW" --now $((T + 3600)) run --config zw.conf
CHECKS=$((CHECKS + 2))
[ "$(sha256sum <z.signed)" = "$sum" ] || fail "conflict: the output changed"
[ "$(sha256sum <z.signed.mta-sts.txt)" = "$policy_sum" ] || fail "conflict: a failed run wrote the policy (mx4)"

# mta-sts enforce with a null MX: no host for the policy, refused.
sed -i '/^_mta-sts\t/d; /MX/d' z
printf '@\tMX\t0 .\n' >>z
expect_run null-mx 3 "mta-sts = enforce needs an MX host" "$ZW" --now $((T + 7200)) run --config zw.conf
sed -i 's/^mta-sts = .*/mta-sts = none/' zw.conf
expect_run null-mx-none 0 "signed" "$ZW" --now $((T + 7200)) run --config zw.conf
CHECKS=$((CHECKS + 1))
grep -q "^mode: none" z.signed.mta-sts.txt && ! grep -q "^mx:" z.signed.mta-sts.txt || fail "null MX, mode none: $(cat z.signed.mta-sts.txt)"
finish
