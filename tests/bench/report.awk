# The Markdown tables of tests/bench/RESULTS.md from run.sh's measurements (mawk/POSIX awk).
#
# awk -F '\t' -v runs=N -v verify_max=N -v threads=N -f report.awk \
#     sizes.tsv floor.tsv results.tsv
#   sizes.tsv:   size zone_lines gen_seconds changed_lines
#   floor.tsv:   size run algorithm per_cpu_s per_wall_s cpus
#   results.tsv: size case run status wall_s cpu_s rss_kb rrsigs kept verify
# Each figure is the median over the runs that finished (status ok, or an
# output that dnssec-verify refused).

function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	if (n % 2)
		return a[(n + 1) / 2] + 0
	return (a[n / 2] + a[n / 2 + 1]) / 2
}

function fmt(x, f) { return x == "" ? "–" : sprintf(f, x) }

# Seconds: milliseconds shown while under 10 s.
function secs(x) { return x == "" ? "–" : sprintf(x < 10 ? "%.3f" : "%.2f", x) }

function add(key, v) { if (v != "-" && v != "") L[key] = L[key] " " v }

# case metadata: label, algorithm, full sign it is a re-sign of
function def(c, label, alg, base) {
	LABEL[c] = label
	ALG[c] = alg
	BASE[c] = base
}

BEGIN {
	def("zw-t2", "zonewarden --threads 2", "ecdsap256sha256", "")
	def("zw-verify-all", "zonewarden --threads 2 --verify all", "ecdsap256sha256", "")
	def("zw-t1", "zonewarden --threads 1", "ecdsap256sha256", "")
	def("zw-ed25519", "zonewarden --threads 2, Ed25519 keys", "ed25519", "")
	def("knot-t2", "kzonesign, 2 signing threads", "ecdsap256sha256", "")
	def("knot-t1", "kzonesign, 1 signing thread", "ecdsap256sha256", "")
	def("bind", "dnssec-signzone -n 2 -P", "ecdsap256sha256", "")
	def("ldns", "ldns-signzone", "ecdsap256sha256", "")
	def("zw-resign", "zonewarden, nothing due (previous output at --out)", "", "zw-t2")
	def("zw-resign-1pct", "zonewarden, 1% of names changed (previous output at --out)", "", "zw-t2")
	def("knot-resign", "kzonesign -t 2, own output as input", "", "knot-t2")
	def("bind-resign", "dnssec-signzone -n 2 -P, own output as input", "", "bind")
	def("ldns-resign", "ldns-signzone, own output as input", "", "ldns")
	nfull = split("zw-t2 zw-verify-all zw-t1 zw-ed25519 knot-t2 knot-t1 bind ldns", FULL, " ")
	nre = split("zw-resign zw-resign-1pct knot-resign bind-resign ldns-resign", RE, " ")
	file = 0
}

FNR == 1 { file++ }

file == 1 {
	nsizes++
	SIZE[nsizes] = $1
	LINES[$1] = $2
	GEN[$1] = $3
	CHANGED[$1] = $4
	next
}

file == 2 {
	add($1 SUBSEP "floor" SUBSEP $3, $4)
	add($1 SUBSEP "floorwall" SUBSEP $3, $5)
	CPUS = $6
	next
}

file == 3 {
	k = $1 SUBSEP $2
	SEEN[k] = 1
	NRUNS[k]++
	# A run whose output dnssec-verify refused still has its figures:
	# they are shown, beside the FAILED status.
	if ($4 == "ok")
		NOK[k]++
	if ($4 == "ok" || $4 == "FAILED(dnssec-verify)") {
		add(k SUBSEP "wall", $5)
		add(k SUBSEP "cpu", $6)
		add(k SUBSEP "rss", $7)
		add(k SUBSEP "rrsigs", $8)
		add(k SUBSEP "kept", $9)
	}
	if ($4 != "ok" && !(k in BAD))
		BAD[k] = $4
	if ($10 == "ok")
		VOK[k]++
	else if ($10 == "FAILED")
		VBAD[k]++
	else if ($10 != "-")
		VSKIP[k] = $10
}

# Fills M_wall, M_cpu, M_rss, M_rrsigs, M_kept for size n and case c;
# returns the row's status text ("ok" when every run was).
function row(n, c,    k) {
	k = n SUBSEP c
	M_wall = median(L[k SUBSEP "wall"])
	M_cpu = median(L[k SUBSEP "cpu"])
	M_rss = median(L[k SUBSEP "rss"])
	M_rrsigs = median(L[k SUBSEP "rrsigs"])
	M_kept = median(L[k SUBSEP "kept"])
	if (!(k in SEEN))
		return "not run"
	if (k in BAD)
		return BAD[k] " in " (NRUNS[k] - NOK[k]) " of " NRUNS[k] " runs"
	return "ok"
}

function verify_text(n, c,    k) {
	k = n SUBSEP c
	if (k in VBAD)
		return "**FAILED** (" VBAD[k] " of " NRUNS[k] ")"
	if (VOK[k] > 0)
		return "ok " VOK[k] "/" NRUNS[k]
	if (n + 0 > verify_max + 0)
		return "not checked (> " verify_max " names)"
	if (k in VSKIP)
		return VSKIP[k]
	return "–"
}

# Floor seconds for r RRSIGs of algorithm a at size n: all CPUs busy.
function floor_s(n, a, r,    rate) {
	rate = median(L[n SUBSEP "floor" SUBSEP a])
	if (rate == "" || r == "" || CPUS == "")
		return ""
	return r / (rate * CPUS)
}

function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }

END {
	for (s = 1; s <= nsizes; s++) {
		n = SIZE[s]
		printf "## %d names\n\n", n
		printf "Zone: %d lines, generated in %.2f s; the 1%%-changed zone differs in %d records.\n", \
		    LINES[n], GEN[n], CHANGED[n]
		ef = median(L[n SUBSEP "floor" SUBSEP "ecdsap256sha256"])
		ff = median(L[n SUBSEP "floor" SUBSEP "ed25519"])
		ew = median(L[n SUBSEP "floorwall" SUBSEP "ecdsap256sha256"])
		fw = median(L[n SUBSEP "floorwall" SUBSEP "ed25519"])
		printf "Crypto floor (floor.c, %s threads): ECDSA P-256 %s signatures per CPU-second (%s per wall-second), Ed25519 %s (%s); ", \
		    CPUS, fmt(ef, "%.0f"), fmt(ew, "%.0f"), fmt(ff, "%.0f"), fmt(fw, "%.0f")
		# Per wall-second over per CPU-second: how many CPUs the floor's
		# threads really had (less than all when others use the machine).
		printf "CPUs free while it ran: %s (ECDSA), %s (Ed25519) of %s.\n\n", \
		    fmt(ratio(ew, ef), "%.2f"), fmt(ratio(fw, ff), "%.2f"), CPUS

		# The reference rows: kzonesign -t 2, and the floors.
		st = row(n, "knot-t2")
		kwall = (st == "ok") ? M_wall : ""
		row(n, "zw-t2")
		erz = M_rrsigs
		row(n, "zw-ed25519")
		frz = M_rrsigs

		print "| full sign | wall s | CPU s | peak RSS MB | RRSIGs | RRSIGs per wall-s | × crypto floor | × kzonesign -t 2 | dnssec-verify | status |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
		if (erz != "") {
			fs = floor_s(n, "ecdsap256sha256", erz)
			printf "| crypto floor, ECDSA P-256, %s CPUs | %s | %s | – | %d | %s | 1.00 | %s | – | – |\n", \
			    CPUS, secs(fs), fmt(fs == "" ? "" : fs * CPUS, "%.2f"), erz, \
			    fmt(ratio(erz, fs), "%.0f"), fmt(ratio(fs, kwall), "%.2f")
		}
		if (frz != "") {
			fs = floor_s(n, "ed25519", frz)
			printf "| crypto floor, Ed25519, %s CPUs | %s | %s | – | %d | %s | 1.00 | %s | – | – |\n", \
			    CPUS, secs(fs), fmt(fs == "" ? "" : fs * CPUS, "%.2f"), frz, \
			    fmt(ratio(frz, fs), "%.0f"), fmt(ratio(fs, kwall), "%.2f")
		}
		for (i = 1; i <= nfull; i++) {
			c = FULL[i]
			if (!((n SUBSEP c) in SEEN))
				continue
			st = row(n, c)
			ok = (st == "ok")
			fs = floor_s(n, ALG[c], M_rrsigs)
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
			    LABEL[c], secs(M_wall), fmt(M_cpu, "%.2f"), \
			    fmt(M_rss == "" ? "" : M_rss / 1024, "%.0f"), fmt(M_rrsigs, "%d"), \
			    fmt(ratio(M_rrsigs, M_wall), "%.0f"), \
			    ok ? fmt(ratio(M_wall, fs), "%.2f") : "–", \
			    ok ? fmt(ratio(M_wall, kwall), "%.2f") : "–", \
			    verify_text(n, c), ok ? "ok" : "**" st "**"
			if (!ok)
				FAILROW[n, c] = st
			if (ok) {
				WALL[n, c] = M_wall
				RSS[n, c] = M_rss
				XFLOOR[n, c] = ratio(M_wall, fs)
			}
		}
		print ""
		print "| re-sign | wall s | CPU s | peak RSS MB | RRSIGs | signatures kept from the input | % of the same tool's full sign (wall) | dnssec-verify | status |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
		for (i = 1; i <= nre; i++) {
			c = RE[i]
			if (!((n SUBSEP c) in SEEN))
				continue
			row(n, BASE[c])
			bwall = M_wall
			st = row(n, c)
			ok = (st == "ok")
			pct = ratio(M_wall, bwall)
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
			    LABEL[c], secs(M_wall), fmt(M_cpu, "%.2f"), \
			    fmt(M_rss == "" ? "" : M_rss / 1024, "%.0f"), fmt(M_rrsigs, "%d"), \
			    fmt(M_kept, "%d"), ok ? fmt(pct == "" ? "" : 100 * pct, "%.0f%%") : "–", \
			    verify_text(n, c), ok ? "ok" : "**" st "**"
			if (!ok)
				FAILROW[n, c] = st
			if (ok)
				PCT[n, c] = 100 * pct
		}
		print ""
	}

	# The goals of issue 3, against the largest size measured.
	big = SIZE[nsizes]
	for (s = 1; s <= nsizes; s++)
		if (SIZE[s] + 0 > big + 0)
			big = SIZE[s]
	print "## Goals of issue 3 (largest size measured: " big " names)"
	print ""
	print "| goal | measured | met |"
	print "| --- | --- | --- |"
	goal("full sign ≤ 1.5 × crypto floor", XFLOOR[big, "zw-t2"], "%.2f ×", \
	    XFLOOR[big, "zw-t2"] != "" && XFLOOR[big, "zw-t2"] <= 1.5, big, "zw-t2")
	sp = ratio(WALL[big, "knot-t2"], WALL[big, "zw-t2"])
	goal("≥ 2.5 × faster than kzonesign -t 2", sp, "kzonesign wall / zonewarden wall = %.2f", \
	    sp != "" && sp >= 2.5, big, "zw-t2", "knot-t2")
	goal("peak RSS ≤ 650 MB" (big + 0 == 1000000 ? "" : " (goal is for 1M names)"), \
	    RSS[big, "zw-t2"] == "" ? "" : RSS[big, "zw-t2"] / 1024, "%.0f MB", \
	    RSS[big, "zw-t2"] != "" && RSS[big, "zw-t2"] / 1024 <= 650, big, "zw-t2")
	goal("re-sign, nothing due ≤ 10% of full sign", PCT[big, "zw-resign"], "%.0f%%", \
	    PCT[big, "zw-resign"] != "" && PCT[big, "zw-resign"] <= 10, big, "zw-resign", "zw-t2")
	goal("re-sign, 1% changed ≤ 15% of full sign", PCT[big, "zw-resign-1pct"], "%.0f%%", \
	    PCT[big, "zw-resign-1pct"] != "" && PCT[big, "zw-resign-1pct"] <= 15, big, "zw-resign-1pct", "zw-t2")
	small = ""
	for (s = 1; s <= nsizes; s++)
		if (SIZE[s] + 0 <= 100)
			small = SIZE[s]
	if (small != "")
		goal("a " small "-name zone end to end < 20 ms", WALL[small, "zw-t2"] == "" ? "" : 1000 * WALL[small, "zw-t2"], \
		    "%.0f ms", WALL[small, "zw-t2"] != "" && WALL[small, "zw-t2"] < 0.020, small, "zw-t2")
	else
		print "| a 100-name zone end to end < 20 ms | not measured (add 100 to BENCH_SIZES) | – |"
	lin = ratio(WALL[1000000, "zw-t2"], WALL[100000, "zw-t2"])
	if (lin != "")
		goal("1M names ≤ 11 × the 100k run", lin, "%.2f ×", lin <= 11, 1000000, "zw-t2")
	else
		print "| 1M names ≤ 11 × the 100k run | not measured (needs both sizes) | – |"
	ed = ratio(WALL[big, "zw-t2"], WALL[big, "zw-ed25519"])
	goal("Ed25519 at least as fast as ECDSA", ed, "ECDSA wall / Ed25519 wall = %.2f", \
	    ed != "" && ed >= 1, big, "zw-ed25519", "zw-t2")
	print ""
}

# One goal line; v is empty when a row it needs did not run or failed.
function goal(text, v, f, met, n, c1, c2,    why) {
	why = "not measured"
	if ((n, c1) in FAILROW)
		why = LABEL[c1] ": " FAILROW[n, c1]
	else if (c2 != "" && (n, c2) in FAILROW)
		why = LABEL[c2] ": " FAILROW[n, c2]
	printf "| %s | %s | %s |\n", text, v == "" ? why : sprintf(f, v), \
	    v == "" ? "–" : (met ? "yes" : "no")
}
