# RRSIG records of a master file in any of the peers' layouts (mawk/POSIX awk).
#
# awk -f rrsigs.awk FILE               prints how many RRSIG records FILE holds
# awk -v sigs=1 -f rrsigs.awk FILE     prints the signature field of each one
#
# A record starts on a line outside parentheses; its owner is left out when
# the line starts with a blank; TTL and class may come in either order before
# the type. Parentheses, when a tool writes multi-line records, are followed
# so that continuation lines are not taken for records (none of the zones
# here hold parentheses or semicolons inside quoted strings).
BEGIN { depth = 0; n = 0 }
{
	line = $0
	sub(/;.*/, "", line)
	if (depth == 0 && line !~ /^[ \t]*$/ && line !~ /^\$/) {
		nf = split(line, f, /[ \t]+/)
		# f[1] is the owner, or empty when the line starts with a
		# blank (a regular expression separator keeps that field).
		i = 2
		while (i <= nf && (f[i] ~ /^[0-9]+$/ || f[i] == "IN"))
			i++
		if (f[i] == "RRSIG") {
			n++
			if (sigs) {
				# covered alg labels ttl exp inc tag signer, then
				# the signature, which some tools split in chunks.
				s = ""
				for (j = i + 9; j <= nf; j++)
					s = s f[j]
				print s
			}
		}
	}
	depth += gsub(/\(/, "(", line) - gsub(/\)/, ")", line)
}
END { if (!sigs) print n }
