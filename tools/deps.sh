# Debian 12 packages zonewarden needs; sourced by .ci/run and tools/demo.sh (one list).
# To build and run:
ZW_BUILD_PACKAGES="build-essential pkg-config libssl-dev libsodium-dev libldns-dev libknot-dev libxxhash-dev libinih-dev libjansson-dev"
# To run the tests (check: unit tests; the rest: independent verifiers and real servers):
# (postfix: the mail server the TLSA probe test talks to; installed unconfigured.)
ZW_TEST_PACKAGES="check ldnsutils bind9-utils bind9-dnsutils nsd unbound systemd iproute2 openssl postfix"

# For `make analyze` and `make valgrind` (CI runs both), and `make fuzz`:
ZW_CHECK_PACKAGES="cppcheck clang-tidy valgrind"
ZW_FUZZ_PACKAGES="clang"

# For `make bench` (the peers it measures against, and GNU time):
ZW_BENCH_PACKAGES="knot knot-dnssecutils bind9-utils ldnsutils time"

# zw_install_packages PKG...: apt-get install what is missing (needs root).
zw_install_packages() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "zonewarden: installing:$missing"
	# Postfix without a mail system of its own: the tests run private instances.
	case " $missing " in *" postfix "*)
		echo "postfix postfix/main_mailer_type select No configuration" |
			debconf-set-selections ;;
	esac
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}
