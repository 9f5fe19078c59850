#!/bin/sh
# make demo: build zonewarden, make keys for the bundled example zone, sign it,
# print the DS for the parent, and check the result with two independent verifiers.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
if [ "$(id -u)" = 0 ]; then
	zw_install_packages $ZW_BUILD_PACKAGES ldnsutils bind9-utils
fi
make -j2 all
zw=build/default/zonewarden
demo=build/demo
zone=example.com
mkdir -p "$demo"
if ! ls "$demo/keys/K$zone."* >/dev/null 2>&1; then
	$zw keys init "$zone" --keydir "$demo/keys"
fi
$zw keys list "$zone" --keydir "$demo/keys"
$zw -v sign "$zone" --in zones/example/$zone.zone --out "$demo/$zone.signed" \
	--keydir "$demo/keys"
echo
echo "Signed zone: $demo/$zone.signed"
echo "Give these DS records to the parent zone (.com):"
$zw keys ds "$zone" --keydir "$demo/keys"
echo
if command -v ldns-verify-zone >/dev/null; then
	ldns-verify-zone -V 1 "$demo/$zone.signed" && echo "ldns-verify-zone: zone is valid"
fi
if command -v dnssec-verify >/dev/null; then
	dnssec-verify -q -o "$zone" "$demo/$zone.signed" && echo "dnssec-verify: zone is valid"
fi
