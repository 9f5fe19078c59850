#!/bin/sh
# Benchmark of issue 3: zonewarden against kzonesign, dnssec-signzone and ldns-signzone on generated zones, beside the crypto floor.
#
# Run by `make bench` (which builds what it names below); see tests/bench/README
# for the rows and how the keys reach each peer. Environment:
#   ZW GENZONE FLOOR FIXCLOCK_SO   the programs (paths relative to the repo root)
#   BENCH_SIZES    names per zone          (default "10000 100000 1000000")
#   BENCH_RUNS     repetitions, medians    (default 3)
#   BENCH_SMALL_RUNS  repetitions for zones of up to 1000 names (default 11:
#                  a run of them takes milliseconds, as does the noise)
#   BENCH_PEERS    "knot bind ldns" or a part of it (default: all installed)
#   BENCH_TIMEOUT  seconds one run may take (default 120 + 0.6 ms per name)
#   BENCH_VERIFY_MAX  largest size whose outputs dnssec-verify checks (100000)
#   BENCH_FLOOR_SECONDS  seconds per algorithm for the crypto floor (3)
#   BENCH_RESULTS  where the Markdown goes (default tests/bench/RESULTS.md)
#   BENCH_KEEP=1   keep the temporary folder (its path is printed)
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
abs() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$root/$1" ;;
	esac
}
ZW=$(abs "${ZW:-build/bench/zonewarden}")
GENZONE=$(abs "${GENZONE:-build/bench/tests/bench/genzone}")
FLOOR=$(abs "${FLOOR:-build/bench/tests/bench/floor}")
FIXCLOCK_SO=$(abs "${FIXCLOCK_SO:-build/default/tests/fixclock.so}")
SIZES=${BENCH_SIZES:-10000 100000 1000000}
RUNS=${BENCH_RUNS:-3}
SMALL_RUNS=${BENCH_SMALL_RUNS:-11}
PEERS=${BENCH_PEERS:-}
VERIFY_MAX=${BENCH_VERIFY_MAX:-100000}
FLOOR_SECONDS=${BENCH_FLOOR_SECONDS:-3}
RESULTS=$(abs "${BENCH_RESULTS:-tests/bench/RESULTS.md}")
THREADS=2

# Every tool signs at the same instant: 2026-11-22 00:00:00 UTC, signatures
# from one hour before it for 30 days; verifiers look one hour later.
ORIGIN=bench.test
NOW=20261122000000
NOW_EPOCH=1795305600
INCEPTION=20261121230000
EXPIRATION=20261222000000
VERIFY_EPOCH=1795309200

die() {
	echo "bench: $*" >&2
	exit 1
}

for f in "$ZW" "$GENZONE" "$FLOOR" "$FIXCLOCK_SO"; do
	[ -e "$f" ] || die "$f is missing: run 'make bench'"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number" ;; esac
case $SMALL_RUNS in '' | *[!0-9]*) die "BENCH_SMALL_RUNS must be a number" ;; esac
# runs_of SIZE: how many runs that size gets.
runs_of() {
	if [ "$1" -le 1000 ] && [ "$SMALL_RUNS" -gt "$RUNS" ]; then
		echo "$SMALL_RUNS"
	else
		echo "$RUNS"
	fi
}
for n in $SIZES; do
	case $n in '' | *[!0-9]*) die "BENCH_SIZES: '$n' is not a number" ;; esac
done

# Peers: those asked for (default all), each only when its tools are here.
have() { command -v "$1" >/dev/null 2>&1; }
ACTIVE="" MISSING=""
for p in ${PEERS:-knot bind ldns}; do
	case $p in
	knot) have kzonesign && have keymgr ;;
	bind) have dnssec-signzone ;;
	ldns) have ldns-signzone ;;
	*) die "BENCH_PEERS: unknown peer '$p' (knot, bind, ldns)" ;;
	esac && ACTIVE="$ACTIVE $p" || MISSING="$MISSING $p"
done
is_active() { case " $ACTIVE " in *" $1 "*) return 0 ;; esac; return 1; }
HAVE_VERIFY=no
have dnssec-verify && HAVE_VERIFY=yes

W=$(mktemp -d "${TMPDIR:-/tmp}/zw-bench.XXXXXX") || die "mktemp failed"
cleanup() {
	if [ "${BENCH_KEEP:-}" = 1 ]; then
		echo "bench: kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# keymgr and friends may want a home: never the real one.
HOME=$W/home
export HOME
mkdir -p "$HOME" "$W/log" "$W/bin"
# What is measured: the tree as it is now (a long run outlives commits).
COMMIT=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
# Copies, so that a rebuild in the tree during a long run changes nothing.
cp "$ZW" "$GENZONE" "$FLOOR" "$FIXCLOCK_SO" "$W/bin/" || die "cannot copy the programs"
ZW=$W/bin/$(basename "$ZW") GENZONE=$W/bin/$(basename "$GENZONE")
FLOOR=$W/bin/$(basename "$FLOOR") FIXCLOCK_SO=$W/bin/$(basename "$FIXCLOCK_SO")
LOG=$W/log
TSV=$W/results.tsv
FLOORS=$W/floor.tsv
: >"$TSV"
: >"$FLOORS"
: >"$W/failures.tsv"

say() { echo "bench: $*" >&2; }

# --- keys: made once, the same files for every tool -------------------------
"$ZW" --now $NOW -q keys init $ORIGIN --keydir "$W/keys13" \
    --algorithm ecdsap256sha256 >"$LOG/keys.log" 2>&1 ||
	die "keys init (ECDSA) failed: $(cat "$LOG/keys.log")"
"$ZW" --now $NOW -q keys init $ORIGIN --keydir "$W/keys15" \
    --algorithm ed25519 >>"$LOG/keys.log" 2>&1 ||
	die "keys init (Ed25519) failed: $(cat "$LOG/keys.log")"
# ldns-signzone takes the key files' base names.
KEYS13=$(ls "$W"/keys13/K*.private | sed 's/\.private$//')

# Knot: a KASP database holding the same two keys, imported from the BIND
# files (keymgr import-bind keeps their Publish/Activate times), and a
# policy with manual key management; one config per run names the input
# file and the signing threads.
KNOTDIR=$W/knot
knot_conf() { # knot_conf CONF ZONEFILE THREADS
	cat >"$1" <<EOF
database:
    storage: $KNOTDIR
    kasp-db: $KNOTDIR/kasp
policy:
  - id: bench
    algorithm: ecdsap256sha256
    manual: on
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
    nsec3-opt-out: off
    rrsig-lifetime: 30d
    signing-threads: $3
zone:
  - domain: $ORIGIN
    storage: $KNOTDIR
    file: $2
    dnssec-signing: on
    dnssec-policy: bench
EOF
}
if is_active knot; then
	mkdir -p "$KNOTDIR"
	knot_conf "$KNOTDIR/import.conf" "$KNOTDIR/none.zone" 1
	for k in $KEYS13; do
		keymgr -c "$KNOTDIR/import.conf" $ORIGIN import-bind "$k" \
		    >>"$LOG/keys.log" 2>&1 || die "keymgr import-bind $k failed: $(tail -n 3 "$LOG/keys.log")"
	done
fi

# --- one measurement ------------------------------------------------------
# run_timed CMD...: CMD under GNU time and timeout; sets T_RC and T_NS.
# Wall time comes from the shell's clock in nanoseconds (GNU time's %e has
# 10 ms steps, too coarse for small zones); CPU time and peak RSS from GNU
# time, which has them from wait4() over the whole command tree.
run_timed() {
	rm -f "$W/time.txt"
	t_0=$(date +%s%N)
	/usr/bin/time -o "$W/time.txt" -f '%e %U %S %M' \
	    timeout -k 10 "$TIMEOUT" "$@"
	T_RC=$?
	t_1=$(date +%s%N)
	T_NS=$((t_1 - t_0))
}

# What the wrappers themselves cost (date, time, timeout: a few ms):
# the least of five runs of `true`, taken off every wall time.
TIMEOUT=60 OVERHEAD_NS=
for i in 1 2 3 4 5; do
	run_timed true
	if [ -z "$OVERHEAD_NS" ] || [ $T_NS -lt "$OVERHEAD_NS" ]; then
		OVERHEAD_NS=$T_NS
	fi
done
echo "$OVERHEAD_NS" >"$W/overhead_ns"

# measure SIZE CASE RUN OUTFILE [INFILE] -- CMD...: run CMD bounded by the
# timeout under /usr/bin/time, then count OUTFILE's RRSIGs, the signatures
# it kept from INFILE, and check it with dnssec-verify (sizes up to
# VERIFY_MAX). Appends one line to results.tsv:
#   size case run status wall_s cpu_s rss_kb rrsigs kept verify
measure() {
	m_size=$1 m_case=$2 m_run=$3 m_out=$4 m_in=
	shift 4
	if [ "$1" != -- ]; then
		m_in=$1
		shift
	fi
	shift
	m_log=$LOG/$m_size-$m_case.log
	echo "== run $m_run: $*" >>"$m_log"
	# What the last case (or the copy of an input) left to write back goes
	# to disk first: no tool pays for another's writes.
	sync
	run_timed "$@" >>"$m_log" 2>&1
	m_rc=$T_RC
	# User and system CPU apart, for the log (the row adds them).
	echo "== run $m_run: wall, user, system seconds, peak RSS kB: $(tail -n 1 "$W/time.txt" 2>/dev/null)" >>"$m_log"
	m_wall=$(echo $((T_NS - OVERHEAD_NS)) | awk '{ printf "%.3f", ($1 > 0 ? $1 : 0) / 1e9 }')
	# GNU time puts a "Command exited ..." line before the figures.
	set -- $(tail -n 1 "$W/time.txt" 2>/dev/null) - - - -
	m_cpu=$(echo "$2 $3" | awk '{ printf "%.2f", $1 + $2 }') m_rss=$4
	m_rrsigs=- m_kept=- m_verify=-
	if [ $m_rc -eq 124 ] || [ $m_rc -eq 137 ]; then
		m_status=TIMEOUT
	elif [ $m_rc -ne 0 ]; then
		m_status="FAILED(exit-$m_rc)"
		printf '%s\t%s\t%s\t%s\n' "$m_size" "$m_case" "$m_run" \
		    "$(tail -n 8 "$m_log" | tr '\n' '\r')" >>"$W/failures.tsv"
	elif [ ! -s "$m_out" ]; then
		m_status="FAILED(no-output)"
	else
		m_status=ok
		m_rrsigs=$(awk -f "$here/rrsigs.awk" "$m_out")
		[ "$m_rrsigs" -gt 0 ] || m_status="FAILED(no-RRSIG)"
		if [ -n "$m_in" ]; then
			awk -v sigs=1 -f "$here/rrsigs.awk" "$m_in" | sort >"$W/sigs.in"
			awk -v sigs=1 -f "$here/rrsigs.awk" "$m_out" | sort >"$W/sigs.out"
			m_kept=$(comm -12 "$W/sigs.in" "$W/sigs.out" | wc -l)
			rm -f "$W/sigs.in" "$W/sigs.out"
		fi
		if [ "$m_size" -gt "$VERIFY_MAX" ]; then
			m_verify=skipped
		elif [ $HAVE_VERIFY = no ]; then
			m_verify=no-verifier
		elif env ZW_FIXCLOCK=$VERIFY_EPOCH LD_PRELOAD="$FIXCLOCK_SO" \
		    dnssec-verify -q -o $ORIGIN "$m_out" >"$W/verify.out" 2>&1; then
			m_verify=ok
		else
			m_verify=FAILED
			m_status="FAILED(dnssec-verify)"
			{
				echo "== run $m_run: dnssec-verify refuses $m_out:"
				tail -n 20 "$W/verify.out"
			} >>"$m_log"
			# What it said goes to the report (and stderr): the
			# temporary folder does not outlive the run.
			printf '%s\t%s\t%s\t%s\n' "$m_size" "$m_case" "$m_run" \
			    "$(grep -v '^$' "$W/verify.out" | tail -n 8 | tr '\n' '\r')" \
			    >>"$W/failures.tsv"
			say "$m_size $m_case run $m_run: dnssec-verify refuses the output:"
			grep -v '^$' "$W/verify.out" | tail -n 8 | sed 's/^/    /' >&2
		fi
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m_size" "$m_case" \
	    "$m_run" "$m_status" "$m_wall" "$m_cpu" "$m_rss" "$m_rrsigs" \
	    "$m_kept" "$m_verify" >>"$TSV"
	say "$m_size $m_case run $m_run: $m_status ${m_wall}s wall ${m_cpu}s cpu ${m_rss}kB rrsigs=$m_rrsigs kept=$m_kept verify=$m_verify"
	[ "$m_status" = ok ]
}

# skip SIZE CASE RUN WHY: a row that could not run.
# copy_signed FROM TO: a signed output and what a run leaves beside it, as
# a re-sign from cron finds them: its record cache and the cache's spare,
# and the output that it replaced (OUT.zwold), when a large output has them.
# The spare and the old output are copies of the cache and the output (the
# same sizes, their own disk blocks, which the re-sign writes over or frees).
copy_signed() {
	rm -f "$2" "$2".zw*
	cp "$1" "$2"
	if [ -e "$1.zwcache" ]; then
		cp "$1.zwcache" "$2.zwcache"
		cp "$1.zwcache" "$2.zwcache.spare"
		cp "$1" "$2.zwold"
	fi
}

skip() {
	printf '%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\t-\n' "$1" "$2" "$3" "$4" >>"$TSV"
}

# --- the cases -----------------------------------------------------------
run_zw() { # run_zw SIZE CASE RUN KEYDIR THREADS IN OUT [PREV]; ZW_EXTRA: more options
	# shellcheck disable=SC2086 # ZW_EXTRA: one word per option
	# -v -v: the seconds of each phase go to the row's log.
	measure "$1" "$2" "$3" "$7" ${8:+"$8"} -- "$ZW" --now $NOW -v -v sign $ORIGIN \
	    --in "$6" --out "$7" --keydir "$4" --validity 30d --threads "$5" ${ZW_EXTRA:-}
}
run_knot() { # run_knot SIZE CASE RUN THREADS IN [PREV]: output in RUNDIR/CASE.d/
	k_dir=$RUNDIR/$2.d
	mkdir -p "$k_dir"
	knot_conf "$RUNDIR/$2.conf" "$5" "$4"
	measure "$1" "$2" "$3" "$k_dir/$(basename "$5")" ${6:+"$6"} -- \
	    kzonesign -c "$RUNDIR/$2.conf" -o "$k_dir" -t $NOW_EPOCH $ORIGIN
}
run_bind() { # run_bind SIZE CASE RUN IN OUT [PREV]
	# dnssec-signzone has no time option: the fixclock shim gives it NOW,
	# which also decides what it keeps of a signed input. -d: its dsset-
	# file goes to the temporary folder, not the current one.
	measure "$1" "$2" "$3" "$5" ${6:+"$6"} -- \
	    env ZW_FIXCLOCK=$NOW_EPOCH LD_PRELOAD="$FIXCLOCK_SO" \
	    dnssec-signzone -q -O full -n $THREADS -P -S -K "$W/keys13" -d "$W" \
	    -3 - -H 0 -s $INCEPTION -e $EXPIRATION -o $ORIGIN -f "$5" "$4"
}
run_ldns() { # run_ldns SIZE CASE RUN IN OUT [PREV]
	# shellcheck disable=SC2086 # KEYS13: one word per key
	measure "$1" "$2" "$3" "$5" ${6:+"$6"} -- \
	    ldns-signzone -n -a 1 -t 0 -s '' -i $INCEPTION -e $EXPIRATION \
	    -o $ORIGIN -f "$5" "$4" $KEYS13
}

# The full-sign rows, in their order in a run's first round.
FULL_ROWS="zw-t2 knot-t2 bind ldns zw-verify-all zw-t1 knot-t1 zw-ed25519"

# full_row ROW: one full-sign row of one_run's size $n and run $r; the
# rows the re-signs start from set zw_ok, knot_ok, bind_ok and ldns_ok.
full_row() {
	case $1 in
	zw-t2)
		run_zw $n zw-t2 $r "$W/keys13" $THREADS "$Z" "$RUNDIR/zw-t2.signed"
		zw_ok=$? ;;
	knot-t2)
		if is_active knot; then
			run_knot $n knot-t2 $r $THREADS "$W/$n/knot-input.zone"
			knot_ok=$?
		fi ;;
	bind)
		if is_active bind; then
			run_bind $n bind $r "$Z" "$RUNDIR/bind.signed"
			bind_ok=$?
		fi ;;
	ldns)
		if is_active ldns; then
			run_ldns $n ldns $r "$Z" "$RUNDIR/ldns.signed"
			ldns_ok=$?
		fi ;;
	zw-verify-all)
		ZW_EXTRA="--verify all"
		run_zw $n zw-verify-all $r "$W/keys13" $THREADS "$Z" \
		    "$RUNDIR/zw-verify-all.signed"
		ZW_EXTRA=""
		rm -f "$RUNDIR/zw-verify-all.signed" \
		    "$RUNDIR/zw-verify-all.signed.zw"* ;;
	zw-t1)
		run_zw $n zw-t1 $r "$W/keys13" 1 "$Z" "$RUNDIR/zw-t1.signed" ;;
	knot-t1)
		is_active knot && run_knot $n knot-t1 $r 1 "$W/$n/knot-input.zone" ;;
	zw-ed25519)
		run_zw $n zw-ed25519 $r "$W/keys15" $THREADS "$Z" \
		    "$RUNDIR/zw-ed25519.signed" ;;
	esac
	return 0
}

# one_run SIZE RUN: every case once, tools interleaved.
one_run() {
	n=$1 r=$2
	RUNDIR=$W/$n/run$r
	mkdir -p "$RUNDIR"
	Z=$W/$n/zone
	"$FLOOR" "$FLOOR_SECONDS" >"$RUNDIR/floor.txt" 2>>"$LOG/floor.log" ||
		say "floor failed (see $LOG/floor.log)"
	awk -v n="$n" -v r="$r" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", n, r, $1, v["per_cpu_s"], v["per_wall_s"], v["threads"]
	}' "$RUNDIR/floor.txt" >>"$FLOORS"
	# A throwaway sign before the first row: on the bench machine, the
	# first command after the floor's seconds of load on every CPU ran up
	# to 2.5 times slower, whatever it was (a 100-name sign 40-50 ms
	# against 15-20 ms, a pure CPU loop 1.5 times longer), and only the
	# first. Every row now follows a sign, as all but the first did.
	"$ZW" --now $NOW -q sign $ORIGIN --in "$Z" --out "$RUNDIR/warm-up.signed" \
	    --keydir "$W/keys13" --validity 30d --threads $THREADS \
	    >>"$LOG/warm-up.log" 2>&1 || say "warm-up sign failed (see $LOG/warm-up.log)"
	rm -f "$RUNDIR/warm-up.signed" "$RUNDIR/warm-up.signed.zw"*
	# Full signs, each tool in turn. The order turns by one row each run:
	# the first row after the floor and the warm-up still ran slower (a
	# 100-name sign by zonewarden -t 2: median 19 ms as the first row,
	# 15 ms with --verify all, more work, as the third), so that no row
	# is always the first.
	zw_ok=1 knot_ok=1 bind_ok=1 ldns_ok=1
	# shellcheck disable=SC2086 # FULL_ROWS: one word per row
	set -- $FULL_ROWS
	i=1
	while [ $i -lt "$r" ]; do
		first=$1
		shift
		set -- "$@" "$first"
		i=$((i + 1))
	done
	for row in "$@"; do
		full_row "$row"
	done
	rm -rf "$RUNDIR/zw-t1.signed" "$RUNDIR/zw-ed25519.signed" "$RUNDIR/knot-t1.d" \
	    "$RUNDIR/zw-t1.signed.zw"* "$RUNDIR/zw-ed25519.signed.zw"*

	# Re-signs, each on the same tool's fresh output of this run.
	if [ $zw_ok -eq 0 ]; then
		copy_signed "$RUNDIR/zw-t2.signed" "$RUNDIR/zw-resign.signed"
		run_zw $n zw-resign $r "$W/keys13" $THREADS "$Z" \
		    "$RUNDIR/zw-resign.signed" "$RUNDIR/zw-t2.signed"
		copy_signed "$RUNDIR/zw-t2.signed" "$RUNDIR/zw-resign-1pct.signed"
		run_zw $n zw-resign-1pct $r "$W/keys13" $THREADS "$W/$n/zone.c1" \
		    "$RUNDIR/zw-resign-1pct.signed" "$RUNDIR/zw-t2.signed"
	else
		skip $n zw-resign $r "SKIPPED(no-full-sign)"
		skip $n zw-resign-1pct $r "SKIPPED(no-full-sign)"
	fi
	rm -f "$RUNDIR/zw-resign.signed" "$RUNDIR/zw-resign-1pct.signed" \
	    "$RUNDIR/zw-resign.signed.zw"* "$RUNDIR/zw-resign-1pct.signed.zw"*
	if is_active knot; then
		if [ $knot_ok -eq 0 ]; then
			cp "$RUNDIR/knot-t2.d/knot-input.zone" "$RUNDIR/knot-signed.zone"
			run_knot $n knot-resign $r $THREADS "$RUNDIR/knot-signed.zone" \
			    "$RUNDIR/knot-signed.zone"
		else
			skip $n knot-resign $r "SKIPPED(no-full-sign)"
		fi
	fi
	if is_active bind; then
		if [ $bind_ok -eq 0 ]; then
			run_bind $n bind-resign $r "$RUNDIR/bind.signed" \
			    "$RUNDIR/bind-resign.signed" "$RUNDIR/bind.signed"
		else
			skip $n bind-resign $r "SKIPPED(no-full-sign)"
		fi
	fi
	if is_active ldns; then
		if [ $ldns_ok -eq 0 ]; then
			run_ldns $n ldns-resign $r "$RUNDIR/ldns.signed" \
			    "$RUNDIR/ldns-resign.signed" "$RUNDIR/ldns.signed"
		else
			skip $n ldns-resign $r "SKIPPED(no-full-sign)"
		fi
	fi
	# Signed zones of 1M names are ~550 MB each: keep only the last run's.
	if [ "${BENCH_KEEP:-}" != 1 ] || [ "$r" -ne "$(runs_of "$n")" ]; then
		rm -rf "$RUNDIR"
	fi
}

# --- the runs -------------------------------------------------------------
: >"$W/sizes.tsv"
for n in $SIZES; do
	TIMEOUT=${BENCH_TIMEOUT:-$((120 + n * 6 / 10000))}
	mkdir -p "$W/$n"
	say "generating $n names"
	t0=$(date +%s.%N)
	"$GENZONE" $ORIGIN "$n" >"$W/$n/zone" || die "genzone $n failed"
	t1=$(date +%s.%N)
	"$GENZONE" $ORIGIN "$n" --change 1 >"$W/$n/zone.c1" ||
		die "genzone $n --change 1 failed"
	is_active knot && cp "$W/$n/zone" "$W/$n/knot-input.zone"
	printf '%s\t%s\t%s\t%s\n' "$n" "$(wc -l <"$W/$n/zone")" \
	    "$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')" \
	    "$(diff "$W/$n/zone" "$W/$n/zone.c1" | grep -c '^>')" >>"$W/sizes.tsv"
	r=1
	while [ $r -le "$(runs_of "$n")" ]; do
		say "size $n, run $r of $(runs_of "$n") (timeout ${TIMEOUT}s per command)"
		one_run "$n" $r
		r=$((r + 1))
	done
	rm -f "$W/$n/zone" "$W/$n/zone.c1" "$W/$n/knot-input.zone"
done

# --- the report -----------------------------------------------------------
pkgver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"; }
{
	echo "# zonewarden benchmark (issue 3)"
	echo
	echo "Produced by \`make bench\` (tests/bench/run.sh); see tests/bench/README for what"
	echo "each row means. Medians of $RUNS interleaved runs ($(runs_of 1) for zones of up to"
	echo "1000 names); algorithm 13 unless noted;"
	echo "NSEC3 (SHA-1, 0 iterations, empty salt, no opt-out); 30-day signatures"
	echo "made at $NOW UTC."
	echo
	echo "## Machine"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); online CPUs (nproc): $(nproc)"
	echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
	    "memory $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
	    "kernel $(uname -r)"
	echo "- zonewarden: $("$ZW" --version 2>&1 | head -n 1), tree $COMMIT at the start" \
	    "(-dirty: with uncommitted changes), binary sha256" \
	    "$(sha256sum "$ZW" | cut -c 1-12)"
	echo "- load average (1, 5, 15 min) at the start: $LOAD_START; at the end:" \
	    "$(cut -d ' ' -f 1-3 /proc/loadavg) (the machine is shared: see the" \
	    "floor's CPUs free)"
	echo "- knot (kzonesign): $(pkgver knot-dnssecutils); bind9-utils:" \
	    "$(pkgver bind9-utils); ldnsutils: $(pkgver ldnsutils);" \
	    "libssl3: $(pkgver libssl3); libsodium23: $(pkgver libsodium23)"
	echo "- peers measured:${ACTIVE:- none}${MISSING:+; not installed:$MISSING}"
	echo "- wall times exclude the wrappers' own cost (date, GNU time, timeout running" \
	    "\`true\`): $(awk '{ printf "%.1f", $1 / 1e6 }' "$W/overhead_ns") ms"
	[ $HAVE_VERIFY = yes ] ||
		echo "- dnssec-verify is not installed: no output was checked"
	echo
	awk -F '\t' -v runs="$RUNS" -v verify_max="$VERIFY_MAX" \
	    -v threads=$THREADS -f "$here/report.awk" \
	    "$W/sizes.tsv" "$FLOORS" "$TSV"
	if [ -s "$W/failures.tsv" ]; then
		echo "## Failures"
		echo
		echo "What the failing command, or dnssec-verify on its output, said (last lines):"
		awk -F '\t' '{
			sub(/\r$/, "", $4)
			gsub(/\r/, "\n", $4)
			printf "\n%s names, %s, run %s:\n\n```\n%s\n```\n", $1, $2, $3, $4
		}' "$W/failures.tsv"
		echo
	fi
} >"$W/RESULTS.md"
cp "$W/RESULTS.md" "$RESULTS"
cat "$W/RESULTS.md"
say "wrote $RESULTS; logs of this run are in $LOG (kept with BENCH_KEEP=1)"
# A peer's failure is a finding; ours fails the target.
if awk -F '\t' '$2 ~ /^zw-/ && $4 != "ok" { bad = 1 } END { exit !bad }' "$TSV"; then
	say "a zonewarden row FAILED or timed out: see the table"
	exit 1
fi
if grep -q 'FAILED\|TIMEOUT' "$TSV"; then
	say "some peer rows FAILED or timed out: see the table"
fi
exit 0
