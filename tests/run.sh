#!/bin/sh
# Run every tests/<DIR>/test_*.sh (DIR: cli or integration), each in its own shell, and count them.
# Usage: ZW=build/default/zonewarden sh tests/run.sh DIR [TEST...]
cd "$(dirname "$0")/.." || exit 1
dir=${1:?usage: run.sh DIR [TEST...]}
shift
[ $# -gt 0 ] || set -- tests/"$dir"/test_*.sh
passed=0 failed=0
for t in "$@"; do
	if sh "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $t"
	fi
done
echo "$dir: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
