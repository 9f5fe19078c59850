#!/bin/sh
# Run every CLI test (golden output, bad input, man page) and count them.
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0
for t in tests/cli/test_*.sh; do
	if sh "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $t"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
