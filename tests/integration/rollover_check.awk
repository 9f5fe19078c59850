# Checks a rollover history for what a validating resolver could see.
# Input: one line per published version: "START KEYS SIGNERS", START the time
# (epoch) it was first served, KEYS the comma-separated DNSKEY tags it
# published, SIGNERS the tags of the keys that signed its other RRsets.
# Versions sorted by START. Variables: wkey = TTLkey + Dprp, wsig = TTLsig +
# Dprp (how long a cached DNSKEY set, or a cached signature, may outlive the
# version it came from), end = the time the history stops.
# Two versions A and B can sit in one cache together when some time t has A
# served within [t - wkey, t] and B within [t - wsig, t]; then every key that
# signed B must be in A's DNSKEY set. Prints each violation; exits 1 on any.
{
	n++
	start[n] = $1
	keys[n] = "," $2 ","
	signers[n] = $3
}
END {
	bad = 0
	for (b = 1; b <= n; b++) {
		eb = b < n ? start[b + 1] : end
		ns = split(signers[b], s, ",")
		for (a = 1; a <= n; a++) {
			ea = a < n ? start[a + 1] : end
			lo = start[a] > start[b] ? start[a] : start[b]
			hi = ea + wkey < eb + wsig ? ea + wkey : eb + wsig
			if (lo > hi)
				continue
			for (i = 1; i <= ns; i++)
				if (index(keys[a], "," s[i] ",") == 0) {
					printf "signature by key %s (version served from %d) " \
					    "with DNSKEY set %s (version served from %d) " \
					    "cached together\n", s[i], start[b], keys[a], start[a]
					bad++
				}
		}
	}
	pairs = n
	exit bad > 0
}
