# The files beside an output of 65536 records or more. The record cache:
# zonewarden writes the output's records as an image (OUT.zwcache) that the
# next run reads instead of the output's text; the cache before stays as
# the spare (OUT.zwcache.spare) that the next run writes over in place,
# then trades names with. The output replaced stays as OUT.zwold until the
# next run removes it beside its reading. Read from the cache or from the text,
# a re-sign gives the same output byte for byte (Ed25519 signatures are
# deterministic); a cache that is damaged, left from another output, or
# beside an output edited by hand is not used, and a small zone has none.
# The output's text is synced while its cache is written: a failed
# write-back (the failsync.so shim) fails the run and loses nothing.
. tests/lib.sh

: "${ZW_FIXCLOCK_SO:?ZW_FIXCLOCK_SO must name the fixclock.so shim (make check-integration sets it)}"
: "${ZW_FAILSYNC_SO:?ZW_FAILSYNC_SO must name the failsync.so shim (make check-integration sets it)}"
OUT="$WORK/big.signed"
CACHE="$OUT.zwcache"
SPARE="$OUT.zwcache.spare"
OLD="$OUT.zwold"
KEYS="$WORK/keys"
"$ZW" --now $NOW -q keys init example.com --keydir "$KEYS" \
    --algorithm ed25519 || fail "keys init"

# 17000 names, each with A, RRSIG, NSEC3 and RRSIG: 68000 records and more.
awk '{ print } END { for (i = 1; i <= 17000; i++) printf "h%d\tIN\tA\t198.51.100.%d\n", i, i % 250 + 1 }' \
    zones/example/example.com.zone >"$WORK/big.zone"
# One name in a hundred changed.
awk 'BEGIN { OFS = "\t" } /^h[0-9]*00\t/ { $4 = "203.0.113.9" } { print }' \
    "$WORK/big.zone" >"$WORK/big2.zone"

# sign NAME WHEN INPUT OUTPUT: sign with -v; sets CACHED (yes: the previous
# output's records came from its cache).
sign() {
	expect_run "$1" 0 "" "$ZW" --now "$2" -v sign example.com --in "$3" \
	    --out "$4" --keydir "$KEYS" || return 1
	CACHED=no
	grep -q "read from its record cache" "$WORK/stderr" && CACHED=yes
	return 0
}

# check NAME CONDITION...: one assertion.
check() {
	ck_name=$1
	shift
	CHECKS=$((CHECKS + 1))
	"$@" || fail "$ck_name"
}

sign first 20261122000000 "$WORK/big.zone" "$OUT"
check "first sign: a cache beside the output" [ -s "$CACHE" ]
check "first sign: the output's last line names the cache" \
    sh -c "tail -n 1 '$OUT' | grep -q ' cache=[0-9a-f]\{32\}\$'"
check "first sign: no spare yet" [ ! -e "$SPARE" ]
check "first sign: no output replaced, none kept" [ ! -e "$OLD" ]
cp "$OUT" "$WORK/first.signed"
cp "$CACHE" "$WORK/first.zwcache"

# A re-sign after changes, from the cache...
sign from-cache 20261123000000 "$WORK/big2.zone" "$OUT"
check "re-sign: the previous output read from its cache" [ $CACHED = yes ]
check "re-sign: signatures kept" grep -q " [1-9][0-9]* reused" "$WORK/stderr"
check "re-sign: the cache before is the spare" cmp -s "$SPARE" "$WORK/first.zwcache"
check "re-sign: the output replaced is kept" cmp -s "$OLD" "$WORK/first.signed"
cp "$OUT" "$WORK/from-cache.signed"
cp "$CACHE" "$WORK/from-cache.zwcache"
# ... and the same from the text alone: the same bytes, cache too.
cp "$WORK/first.signed" "$WORK/text.signed"
sign from-text 20261123000000 "$WORK/big2.zone" "$WORK/text.signed"
check "no cache: the previous output read from its text" [ $CACHED = no ]
check "from the cache or from the text: the same output" \
    cmp -s "$WORK/from-cache.signed" "$WORK/text.signed"
check "from the cache or from the text: the same cache" \
    cmp -s "$WORK/from-cache.zwcache" "$WORK/text.signed.zwcache"

# Both verifiers accept it, a day on.
CHECKS=$((CHECKS + 2))
ldns-verify-zone -V 1 -t 20261124000000 "$OUT" >"$WORK/v.out" 2>&1 ||
	fail "ldns-verify-zone refuses it: $(tail -n 3 "$WORK/v.out")"
ZW_FIXCLOCK=$(date -u -d 2026-11-24 +%s) LD_PRELOAD="$ZW_FIXCLOCK_SO" \
    dnssec-verify -q -o example.com "$OUT" >"$WORK/v.out" 2>&1 ||
	fail "dnssec-verify refuses it: $(tail -n 3 "$WORK/v.out")"

# The next re-sign writes its cache over the spare (the same file, its
# disk blocks used again) and trades names: the cache before is the spare.
# The output kept before is removed; the one replaced now is kept.
spare_ino=$(stat -c %i "$SPARE")
cache_ino=$(stat -c %i "$CACHE")
out_ino=$(stat -c %i "$OUT")
cp "$OUT" "$WORK/before-again.signed"
sign again 20261123060000 "$WORK/big.zone" "$OUT"
check "again: the output replaced is kept (the same file)" \
    [ "$(stat -c %i "$OLD")" = "$out_ino" ]
check "again: ... as it was" cmp -s "$OLD" "$WORK/before-again.signed"
check "again: the one kept before is gone (one name)" \
    [ "$(stat -c %h "$OLD")" = 1 ]
check "again: read from the cache" [ $CACHED = yes ]
check "again: the cache written over the spare" \
    [ "$(stat -c %i "$CACHE")" = "$spare_ino" ]
check "again: the cache before is the spare" \
    [ "$(stat -c %i "$SPARE")" = "$cache_ino" ]

# A run that ended between putting its output in place and trading the
# names left the output's cache at the spare's name: the next run reads it
# there, and signs as it would from the text.
cp "$OUT" "$WORK/untraded.signed"
mv "$CACHE" "$WORK/t.zwcache"
mv "$SPARE" "$CACHE"
mv "$WORK/t.zwcache" "$SPARE"
sign from-spare 20261123120000 "$WORK/big2.zone" "$OUT"
check "cache at the spare's name: read from it" [ $CACHED = yes ]
sign untraded-text 20261123120000 "$WORK/big2.zone" "$WORK/untraded.signed"
check "cache at the spare's name: the output the text gives" \
    cmp -s "$OUT" "$WORK/untraded.signed"

# A damaged cache (one byte in its records): read from the text instead.
damaged() {
	cp "$WORK/first.signed" "$1"
	cp "$WORK/first.zwcache" "$1.zwcache"
	printf 'Z' | dd of="$1.zwcache" bs=1 seek=200000 conv=notrunc 2>/dev/null
}
damaged "$WORK/damaged.signed"
sign damaged-cache 20261123000000 "$WORK/big2.zone" "$WORK/damaged.signed"
check "damaged cache: not used" [ $CACHED = no ]
check "damaged cache: the same output" \
    cmp -s "$WORK/from-cache.signed" "$WORK/damaged.signed"
check "damaged cache: replaced by a good one" \
    cmp -s "$WORK/from-cache.zwcache" "$WORK/damaged.signed.zwcache"

# Another output's cache (the re-sign's, beside the first output): not used.
cp "$WORK/first.signed" "$WORK/other.signed"
cp "$WORK/from-cache.zwcache" "$WORK/other.signed.zwcache"
sign other-cache 20261123000000 "$WORK/big2.zone" "$WORK/other.signed"
check "another output's cache: not used" [ $CACHED = no ]
check "another output's cache: the same output" \
    cmp -s "$WORK/from-cache.signed" "$WORK/other.signed"

# The output edited by hand, its cache intact: the cache would describe
# records the file no longer has. Not used; the file is read, with a warning.
cp "$WORK/first.signed" "$WORK/edited.signed"
cp "$WORK/first.zwcache" "$WORK/edited.signed.zwcache"
sed -i 's/^h5\.example\.com\.\t\([0-9]*\)\tIN\tA\t.*/h5.example.com.\t\1\tIN\tA\t192.0.2.55/' \
    "$WORK/edited.signed"
check "the hand edit changed the file" \
    sh -c "! cmp -s '$WORK/first.signed' '$WORK/edited.signed'"
sign edited-output 20261123000000 "$WORK/big2.zone" "$WORK/edited.signed"
check "output edited by hand: its cache not used" [ $CACHED = no ]
check "output edited by hand: warned" \
    grep -q "changed since it was written" "$WORK/stderr"
# Its h5 A no longer matches the input: that RRset alone is signed anew
# (read from the cache, it would have kept its signature).
h5_new() {
	grep -q "^h5\.example\.com\.	3600	IN	RRSIG	A .* 20261122230000 " "$1"
}
check "output edited by hand: its edited RRset signed anew" \
    h5_new "$WORK/edited.signed"
h5_kept() { ! h5_new "$1"; }
check "from the cache: that RRset kept its signature" \
    h5_kept "$WORK/from-cache.signed"
check "output edited by hand: all else the same" \
    [ "$(diff "$WORK/from-cache.signed" "$WORK/edited.signed" | grep -c '^>')" = 2 ]

# The output's text goes to the disk while its cache is still written: a
# disk that fails that write-back (EIO, reported once: the shim fails the
# first sync) fails the run, which leaves the output and its cache as they
# were; the next run reads that cache.
cp "$OUT" "$WORK/before-eio.signed"
cp "$CACHE" "$WORK/before-eio.zwcache"
# (A build with AddressSanitizer takes the shim ahead of its runtime.)
expect_run write-back-fails 6 "big.signed: cannot write the signed zone" \
    env ZW_FAILSYNC=fdatasync LD_PRELOAD="$ZW_FAILSYNC_SO" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$ZW" \
    --now 20261123180000 sign example.com --in "$WORK/big.zone" --out "$OUT" \
    --keydir "$KEYS"
check "write-back fails: the output as it was" \
    cmp -s "$OUT" "$WORK/before-eio.signed"
check "write-back fails: its cache as it was" \
    cmp -s "$CACHE" "$WORK/before-eio.zwcache"
check "write-back fails: no temporary file left" \
    sh -c "! ls '$WORK'/*.tmp.* >/dev/null 2>&1"
cp "$OUT" "$WORK/eio-text.signed"
sign after-eio 20261123180000 "$WORK/big.zone" "$OUT"
check "after the failed write-back: read from the cache" [ $CACHED = yes ]
sign after-eio-text 20261123180000 "$WORK/big.zone" "$WORK/eio-text.signed"
check "after the failed write-back: the output the text gives" \
    cmp -s "$OUT" "$WORK/eio-text.signed"

# A run that fails on its input leaves the output as it was, and still
# removes the output kept before.
check "before: an output kept" [ -e "$OLD" ]
cp "$OUT" "$WORK/before-bad.signed"
printf 'bad\tIN\tA\t300.1.2.3\n' >>"$WORK/bad.zone"
cat "$WORK/big2.zone" "$WORK/bad.zone" >"$WORK/big-bad.zone"
expect_run bad-input 3 "big-bad.zone" "$ZW" --now 20261123180000 sign \
    example.com --in "$WORK/big-bad.zone" --out "$OUT" --keydir "$KEYS"
check "bad input: the output as it was" cmp -s "$OUT" "$WORK/before-bad.signed"
check "bad input: the output kept before removed" [ ! -e "$OLD" ]

# An output that cannot be written (its folder is missing): the signing
# and its writing end together, with an error naming it.
expect_run no-folder 6 "$WORK/missing/big.signed: cannot write the signed zone" \
    "$ZW" --now 20261123180000 sign example.com --in "$WORK/big2.zone" \
    --out "$WORK/missing/big.signed" --keydir "$KEYS"

# A zone that shrinks below 65536 records: its cache goes, and the output
# it replaces is not kept.
sign small 20261124000000 zones/example/example.com.zone "$OUT"
check "small zone: no cache" [ ! -e "$CACHE" ]
check "small zone: no spare" [ ! -e "$SPARE" ]
check "small zone: no output kept" [ ! -e "$OLD" ]
check "small zone: no cache named" sh -c "! tail -n 1 '$OUT' | grep -q cache="
check "no temporary file left" sh -c "! ls '$WORK'/*.tmp.* >/dev/null 2>&1"
finish
