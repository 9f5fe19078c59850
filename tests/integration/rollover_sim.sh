# Shared by the rollover simulations (sourced after tests/lib.sh, in the
# folder that holds example.com.signed): recording each published version,
# a simulated parent that takes the CDS a day after it changes, and the two
# cache checkers. History files: history ("TIME KEYS SIGNERS KSKS ALGS", ALGS
# the algorithm of each tag as TAG:ALG) and
# parent.history ("TIME DS-TAGS"); parent.ds is what the parent serves.
: "${SIM_TOP:?set SIM_TOP to the project root before sourcing}"
sim_last_serial="" sim_last_cds="" sim_cds_since=0 SIM_VERSIONS=0
: >history
: >parent.history

# sim_give_ds T: the operator gives the parent the first DS by hand.
sim_give_ds() {
	"$ZW" --now "$1" keys ds example.com --keydir keys | grep -v '^;' >parent.ds
	echo "$1 $(awk '{ print $5 }' parent.ds | sort -n | paste -sd, -)" >>parent.history
}

# sim_record T: a new version is recorded and verified at T. False when it does not verify.
sim_record() {
	sr_serial=$(awk '$4 == "SOA" { print $7; exit }' example.com.signed)
	[ "$sr_serial" != "$sim_last_serial" ] || return 0
	SIM_VERSIONS=$((SIM_VERSIONS + 1))
	sr_keys=$(dnssec-dsfromkey -A -2 -f example.com.signed example.com |
	    awk '{ print $4 }' | sort -n | paste -sd, -)
	sr_signers=$(awk '$4 == "RRSIG" && $5 != "DNSKEY" && $5 != "CDS" && $5 != "CDNSKEY" { print $11 }' \
	    example.com.signed | sort -un | paste -sd, -)
	sr_ksks=$(awk '$4 == "RRSIG" && $5 == "DNSKEY" { print $11 }' example.com.signed | sort -un | paste -sd, -)
	sr_algs=$( {
		dnssec-dsfromkey -A -2 -f example.com.signed example.com | awk '{ print $4 ":" $5 }'
		awk '$4 == "RRSIG" { print $11 ":" $6 }' example.com.signed
	} | sort -u | paste -sd, -)
	echo "$1 $sr_keys $sr_signers $sr_ksks $sr_algs" >>history
	sim_last_serial=$sr_serial
	CHECKS=$((CHECKS + 1))
	if ! ldns-verify-zone -V 0 -t "$(date -u -d "@$(($1 + 60))" +%Y%m%d%H%M%S)" example.com.signed >verify.out 2>&1; then
		fail "the version of $1 does not verify: $(cat verify.out)"
		return 1
	fi
	# SIM_DNSSEC_VERIFY=1: BIND's verifier too (its clock set by the shim).
	[ "${SIM_DNSSEC_VERIFY:-}" = 1 ] || return 0
	CHECKS=$((CHECKS + 1))
	if ! ZW_FIXCLOCK=$(($1 + 60)) LD_PRELOAD="$ZW_FIXCLOCK_SO" \
	    dnssec-verify -q -o example.com example.com.signed >verify.out 2>&1; then
		fail "dnssec-verify refuses the version of $1: $(tail -n 5 verify.out)"
		return 1
	fi
}

# sim_parent T: a CDS set unchanged for a day replaces the parent's DS set.
sim_parent() {
	sp_cds=$(awk '$4 == "CDS" { $4 = "DS"; print $1, $2, $3, $4, $5, $6, $7, $8 }' example.com.signed | sort)
	if [ "$sp_cds" != "$sim_last_cds" ]; then
		sim_last_cds=$sp_cds
		sim_cds_since=$1
	fi
	if [ -n "$sp_cds" ] && [ $(($1 - sim_cds_since)) -ge 86400 ] &&
	    [ "$sp_cds" != "$(sort parent.ds | awk '{ print $1, $2, $3, $4, $5, $6, $7, $8 }')" ]; then
		echo "$sp_cds" >parent.ds
		echo "$1 $(awk '{ print $5 }' parent.ds | sort -n | paste -sd, -)" >>parent.history
	fi
}

# sim_check END WKEY WSIG WDS: the cache checks over the whole history; then
# SIM_KSK_ROLLS and SIM_ZSK_ROLLS count the rollovers seen.
sim_check() {
	CHECKS=$((CHECKS + 2))
	awk -v wkey="$2" -v wsig="$3" -v end="$1" -f "$SIM_TOP/tests/integration/rollover_check.awk" \
	    history >violations || fail "a resolver could hold a signature without its key: $(head -n 3 violations)"
	awk -v wds="$4" -v wkey="$2" -v end="$1" -f "$SIM_TOP/tests/integration/ds_check.awk" \
	    parent.history history >violations || fail "a resolver could hold a DS set without a key for it: $(head -n 3 violations)"
	SIM_KSK_ROLLS=$(awk '{ n = split($4, s, ","); for (i = 1; i <= n; i++) seen[s[i]] = 1 } END { for (k in seen) c++; print c - 1 }' history)
	SIM_ZSK_ROLLS=$(awk '{ n = split($3, s, ","); for (i = 1; i <= n; i++) seen[s[i]] = 1 } END { for (k in seen) c++; print c - 1 }' history)
}

# sim_timeline DAYS: `run` every 6 hours for DAYS from NOW with zw.conf, the
# parent simulated (the first DS given by hand); every version recorded.
# SIM_AT_STEP and SIM_AT_CMD: a command run (eval) before that step's run.
# Sets SIM_RUNS and SIM_END. False when a run fails or a version does not verify.
sim_timeline() {
	st_t0=$NOW_EPOCH st_steps=$(($1 * 4)) st_i=0
	SIM_RUNS=0 SIM_END=$((NOW_EPOCH + $1 * 4 * 21600))
	: >parent.ds
	while [ $st_i -le $st_steps ]; do
		st_t=$((st_t0 + st_i * 21600))
		[ "$st_i" = "${SIM_AT_STEP:-}" ] && eval "$SIM_AT_CMD"
		if ! "$ZW" --now "$st_t" -q run --config zw.conf >run.out 2>&1; then
			fail "run at $st_t: $(cat run.out)"
			return 1
		fi
		SIM_RUNS=$((SIM_RUNS + 1))
		[ $st_i = 0 ] && sim_give_ds "$st_t"
		sim_record "$st_t" || return 1
		sim_parent "$st_t"
		st_i=$((st_i + 1))
	done
}
