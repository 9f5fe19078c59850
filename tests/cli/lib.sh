# Helpers for the CLI tests: a temp folder removed on exit, assertions that say what failed.
# Sourced by tests/cli/test_*.sh; ZW names the binary.
set -u
: "${ZW:?ZW must name the zonewarden binary}"
case "$ZW" in /*) ;; *) ZW="$(pwd)/$ZW" ;; esac
TESTDATA="$(pwd)/tests/data"
WORK=$(mktemp -d /tmp/zw-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
# Every test sets the clock.
NOW=20261122000000
FAILS=0
CHECKS=0

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

# expect_run NAME EXIT PATTERN CMD...: run CMD, check its exit code and that stderr matches PATTERN.
expect_run() {
	name=$1 want=$2 pattern=$3
	shift 3
	CHECKS=$((CHECKS + 1))
	"$@" >"$WORK/stdout" 2>"$WORK/stderr"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$name: exit $got, want $want; stderr: $(cat "$WORK/stderr")"
		return 1
	fi
	if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$WORK/stderr"; then
		fail "$name: stderr lacks '$pattern': $(cat "$WORK/stderr")"
		return 1
	fi
	return 0
}

finish() {
	echo "$(basename "$0"): $CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
