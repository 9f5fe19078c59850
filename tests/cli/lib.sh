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
# (POSIX sh has no locals: the er_ prefix keeps callers' variables safe.)
expect_run() {
	er_name=$1 er_want=$2 er_pattern=$3
	shift 3
	CHECKS=$((CHECKS + 1))
	"$@" >"$WORK/stdout" 2>"$WORK/stderr"
	er_got=$?
	if [ "$er_got" != "$er_want" ]; then
		fail "$er_name: exit $er_got, want $er_want; stderr: $(cat "$WORK/stderr")"
		return 1
	fi
	if [ -n "$er_pattern" ] && ! grep -q -- "$er_pattern" "$WORK/stderr"; then
		fail "$er_name: stderr lacks '$er_pattern': $(cat "$WORK/stderr")"
		return 1
	fi
	return 0
}

finish() {
	echo "$(basename "$0"): $CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
