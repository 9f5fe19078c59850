#!/bin/sh
# make demo: build zonewarden and run the main job as an operator would: a
# config for the bundled example zone, `zonewarden run` twice (the second
# finds nothing due), `zonewarden status`, the DS for the parent, and the
# signed zone checked by two independent verifiers.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
if [ "$(id -u)" = 0 ]; then
	zw_install_packages $ZW_BUILD_PACKAGES ldnsutils bind9-utils
fi
make -j2 all
zw="$(pwd)/build/default/zonewarden"
demo=build/demo
zone=example.com
rm -rf "$demo"
mkdir -p "$demo"
cp zones/example/$zone.zone "$demo/"
cat >"$demo/zonewarden.conf" <<CONF
# The demo's config (see zonewarden.conf(5)); paths are relative to this file.
[zone $zone]
input = $zone.zone
output = $zone.signed
keydir = keys/$zone
reload = echo "a name server would now reload %z from %f"
CONF
echo "== $demo/zonewarden.conf"
cat "$demo/zonewarden.conf"
echo
echo "== zonewarden run (first: makes keys and signs)"
$zw run --config "$demo/zonewarden.conf"
echo
echo "== zonewarden run (again: nothing is due, nothing changes)"
$zw run --config "$demo/zonewarden.conf"
echo
echo "== zonewarden status"
$zw status --config "$demo/zonewarden.conf"
echo
echo "== DS records to give the parent zone (.com):"
$zw keys ds "$zone" --keydir "$demo/keys/$zone"
echo
echo "== TLSA record of the mail host's certificate (zones/example/mail.example.com.crt):"
$zw tlsa mail.$zone --cert zones/example/mail.example.com.crt
echo
echo "== zonewarden check (the chain, the signatures, and the zone's TLSA against that certificate)"
$zw check "$zone" --signed "$demo/$zone.signed" \
    --cert "mail.$zone=zones/example/mail.example.com.crt"
echo
echo "Signed zone: $demo/$zone.signed"
if command -v ldns-verify-zone >/dev/null; then
	ldns-verify-zone -V 1 "$demo/$zone.signed" && echo "ldns-verify-zone: zone is valid"
fi
if command -v dnssec-verify >/dev/null; then
	dnssec-verify -q -o "$zone" "$demo/$zone.signed" && echo "dnssec-verify: zone is valid"
fi
