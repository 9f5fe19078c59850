# Every command in the command table is documented in zonewarden(1).
. tests/lib.sh

"$ZW" help >"$WORK/help" || fail "help"
grep '^  [a-z]' "$WORK/help" | sed 's/^  //; s/  .*//' | while read -r cmd; do
	# In the man page a command is a subsection heading: .SS "keys init ZONE ...".
	grep -q "^\.SS \"$cmd\( \|\"\)" tools/zonewarden.1 || echo "$cmd"
done >"$WORK/missing"
CHECKS=$((CHECKS + 1))
[ -s "$WORK/missing" ] && fail "not in tools/zonewarden.1: $(cat "$WORK/missing")"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^  [a-z]' "$WORK/help")" -ge 5 ] || fail "help lists too few commands"
finish
