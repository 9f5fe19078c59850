# Checks a rollover history for what a validating resolver could see.
# Input: one line per published version: "START KEYS SIGNERS KSKS ALGS",
# START the time (epoch) it was first served, KEYS the comma-separated
# DNSKEY tags it published, SIGNERS the tags of the keys that signed its
# other RRsets, ALGS each tag's algorithm as TAG:ALG. Versions sorted by
# START. Variables: wkey = TTLkey + Dprp, wsig = TTLsig + Dprp (how long a
# cached DNSKEY set, or a cached signature, may outlive the version it came
# from), end = the time the history stops.
# Two versions A and B can sit in one cache together when some time t has A
# served within [t - wkey, t] and B within [t - wsig, t]. Then every key
# that signed B must be in A's DNSKEY set, unless A has no key of its
# algorithm at all (an algorithm rollover's signatures ahead of or after
# its keys, which validators ignore); and every algorithm of A's DNSKEY
# set must have signed B with a key of A (validators may insist on every
# algorithm, RFC 6781 section 4.1.4). Prints each violation; exits 1 on any.
{
	n++
	start[n] = $1
	keys[n] = "," $2 ","
	signers[n] = $3
	na = split($5, ta, ",")
	for (i = 1; i <= na; i++) {
		split(ta[i], kv, ":")
		alg[kv[1]] = kv[2]
	}
}

# The algorithms of the keys in the comma-list k, as ",A,B,".
function algs_of(k,    t, m, i, out) {
	m = split(k, t, ",")
	out = ","
	for (i = 1; i <= m; i++)
		if (t[i] != "" && index(out, "," alg[t[i]] ",") == 0)
			out = out alg[t[i]] ","
	return out
}

END {
	bad = 0
	for (a = 1; a <= n; a++)
		kalgs[a] = algs_of(keys[a])
	for (b = 1; b <= n; b++) {
		eb = b < n ? start[b + 1] : end
		ns = split(signers[b], s, ",")
		for (a = 1; a <= n; a++) {
			ea = a < n ? start[a + 1] : end
			lo = start[a] > start[b] ? start[a] : start[b]
			hi = ea + wkey < eb + wsig ? ea + wkey : eb + wsig
			if (lo > hi)
				continue
			covered = ","
			for (i = 1; i <= ns; i++) {
				if (index(kalgs[a], "," alg[s[i]] ",") == 0)
					continue
				if (index(keys[a], "," s[i] ",") == 0) {
					printf "signature by key %s (version served from %d) " \
					    "with DNSKEY set %s (version served from %d) " \
					    "cached together\n", s[i], start[b], keys[a], start[a]
					bad++
				} else
					covered = covered alg[s[i]] ","
			}
			m = split(kalgs[a], ka, ",")
			for (i = 1; i <= m; i++)
				if (ka[i] != "" && index(covered, "," ka[i] ",") == 0) {
					printf "no signature of algorithm %s (version served " \
					    "from %d) with DNSKEY set %s (version served from " \
					    "%d) cached together\n", ka[i], start[b], keys[a], start[a]
					bad++
				}
		}
	}
	exit bad > 0
}
