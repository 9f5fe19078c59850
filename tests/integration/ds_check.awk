# Checks a KSK rollover history for the chain of trust a validating resolver
# could see. Two files: first the parent's DS versions, "START TAGS" (the DS
# key tags it served from START), then the zone's versions, "START KEYS
# SIGNERS KSKS" (KSKS: the tags of the keys whose signatures cover the
# DNSKEY RRset). Variables: wds = parent DS TTL + parent propagation delay,
# wkey = DNSKEY TTL + propagation delay, end = when the history stops.
# A DS set and a DNSKEY set that can be cached together must share a key:
# some DS must name a key that is in that DNSKEY set and signs it (a key
# that signs the set from outside it, as an algorithm rollover's new KSK
# does before its DNSKEY is published, does not count). Exits 1 on any break.
FNR == NR { np++; ps[np] = $1; ptags[np] = $2; next }
{ nz++; zs[nz] = $1; zksk[nz] = "," $4 ","; zkeys[nz] = "," $2 "," }
END {
	bad = 0
	for (a = 1; a <= np; a++) {
		ea = a < np ? ps[a + 1] : end
		n = split(ptags[a], t, ",")
		for (b = 1; b <= nz; b++) {
			eb = b < nz ? zs[b + 1] : end
			lo = ps[a] > zs[b] ? ps[a] : zs[b]
			hi = ea + wds < eb + wkey ? ea + wds : eb + wkey
			if (lo > hi)
				continue
			ok = 0
			for (i = 1; i <= n; i++)
				if (index(zksk[b], "," t[i] ",") > 0 &&
				    index(zkeys[b], "," t[i] ",") > 0)
					ok = 1
			if (!ok) {
				printf "DS set %s (parent from %d) and DNSKEY set %s signed by " \
				    "%s (zone from %d) cached together\n", ptags[a], ps[a], \
				    zkeys[b], zksk[b], zs[b]
				bad++
			}
		}
	}
	exit bad > 0
}
