# Helpers for the shell tests (tests/cli, tests/integration): a temporary folder
# and servers cleaned up on any exit, assertions that say what failed.
# Sourced from the project root; ZW names the binary.
set -u
: "${ZW:?ZW must name the zonewarden binary}"
case "$ZW" in /*) ;; *) ZW="$(pwd)/$ZW" ;; esac
TESTDATA="$(pwd)/tests/data"
WORK=$(mktemp -d /tmp/zw-test.XXXXXX)
# Commands to run at exit (stopping servers), newest first.
AT_EXIT=""
at_exit() {
	AT_EXIT="$*; $AT_EXIT"
}
cleanup() {
	eval "$AT_EXIT"
	# A stopped server's last child may still write its state file a moment.
	rm -rf "$WORK" 2>/dev/null || { sleep 0.5; rm -rf "$WORK"; }
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
# Every test sets the clock: NOW for zonewarden, NOW_EPOCH for the tools
# that verify what it made.
NOW=20261122000000
NOW_EPOCH=1795305600
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
