# Golden output: Ed25519 signatures are deterministic, so with committed test keys and a
# fixed clock the signed zone is byte-identical to the committed one, whatever the thread count.
# ZW_UPDATE_GOLDEN=1 rewrites the golden files (then review the diff before committing).
. tests/lib.sh

GOLD="$TESTDATA/golden"
# git does not keep mode 0600, which the key loader insists on: use a private copy.
mkdir -p "$WORK/keys" && cp "$GOLD"/keys/K* "$WORK/keys/" && chmod 600 "$WORK"/keys/*.private
chmod 700 "$WORK/keys"
ZONE="zones/example/example.com.zone"

golden() {   # NAME OPTIONS...
	name=$1
	shift
	for threads in 1 2; do
		expect_run "$name threads=$threads" 0 "" "$ZW" --now $NOW sign example.com \
		    --in "$ZONE" --out "$WORK/$name.$threads" --keydir "$WORK/keys" \
		    --threads $threads "$@" || continue
		if [ "${ZW_UPDATE_GOLDEN:-}" = 1 ]; then
			cp "$WORK/$name.$threads" "$GOLD/$name.signed"
		fi
		CHECKS=$((CHECKS + 1))
		cmp -s "$WORK/$name.$threads" "$GOLD/$name.signed" ||
			fail "$name (threads $threads) differs from $GOLD/$name.signed: $(diff "$GOLD/$name.signed" "$WORK/$name.$threads" | head -n 5)"
	done
}

golden example.com.nsec3
golden example.com.nsec --nsec
golden example.com.optout --opt-out --serial keep
golden example.com.absolute --inception 20261120000000 --expiration 20261220000000 --serial increment

# -vv: the phases' seconds, then the CPU seconds apart (the bench's row logs keep them).
expect_run verbose-phases 0 \
    "seconds: read [0-9.]*, chain [0-9.]*, sign [0-9.]*, write [0-9.]* (with the self-check beside it: [0-9.]*); CPU seconds, user + system: read [0-9.]* + [0-9.]*, the rest [0-9.]* + [0-9.]*$" \
    "$ZW" --now $NOW -vv sign example.com --in "$ZONE" --out "$WORK/vv.signed" \
    --keydir "$WORK/keys"

expect_run keys_ds 0 "" "$ZW" --now $NOW keys ds example.com --keydir "$WORK/keys"
[ "${ZW_UPDATE_GOLDEN:-}" = 1 ] && cp "$WORK/stdout" "$GOLD/example.com.ds"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/stdout" "$GOLD/example.com.ds" || fail "keys ds output differs from $GOLD/example.com.ds"
finish
