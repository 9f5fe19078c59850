# Loopback NSD and Unbound for the integration tests: started on free ports,
# waited for (bounded), and always stopped at exit. Sourced after tests/lib.sh.
#
#   start_nsd ZONE FILE [CTLDIR] serve FILE as ZONE; sets NSD_PORT, NSD_PID. With
#                                CTLDIR, remote control is on, on a loopback port, with
#                                the keys nsd-control-setup made there (made when missing):
#                                `nsd-control -c $WORK/nsd.conf reload ZONE` then works
#   start_unbound ZONE DSFILE [EPOCH]
#                                validate ZONE below the trust anchor DSFILE, at EPOCH
#                                (default NOW + 1 h), asking only the NSD above;
#                                sets UNBOUND_PORT, UNBOUND_PID
#   stop_nsd, stop_unbound       stop one (a restart flushes Unbound's cache)
#   start_nsd2 ZONE FILE         a second NSD for ZONE on 127.0.0.2 at NSD_PORT,
#                                serving FILE (a copy the test updates by hand,
#                                so that it can lag behind); waits until it
#                                serves FILE's serial; stop_nsd2 stops it
#   dig_at PORT NAME TYPE        one DNSSEC query to 127.0.0.1@PORT, dig output on stdout
#   start_postfix ADDR TLSFILES [LEVEL]
#                                a Postfix smtpd on ADDR:25, and with TLS from
#                                the start on ADDR:465 (ADDR added to lo: the test
#                                runs in a network namespace of its own) with
#                                smtpd_tls_chain_files = TLSFILES ("key, chain, ...")
#                                and smtpd_tls_security_level = LEVEL (may);
#                                stop_postfix stops it
#
# Unbound never sends a packet off the machine: its outgoing sockets are bound
# to 127.0.0.1, IPv6 is off, and every IPv4 address outside 127.0.0.0/8 is on
# its do-not-query list (the fixture's glue, 192.0.2.x, included).
# Logs stay in $WORK (nsd.log, unbound.log, each run after a "===" line);
# server_log NAME prints the latest run's. Unbound logs every validation
# failure with its reason (val-log-level 2).

NSD_PID="" NSD_PORT="" UNBOUND_PID="" UNBOUND_PORT="" POSTFIX_DIR=""
SERVERS_TRIES=5         # ports tried before giving up
SERVERS_WAIT=10         # seconds a server may take to answer

# (POSIX sh has no locals: the sv_ prefix keeps callers' variables safe.)
srv_random_port() {     # a port in 20000-59999
	sv_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + (sv_r + $$) % 40000))
}

srv_is_running() {      # PID: alive and not a zombie waiting to be reaped
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
	    ! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

srv_descendants() {     # PID: its children, grandchildren, ...
	for sv_c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$sv_c"
		srv_descendants "$sv_c"
	done
}

# srv_stop PID: TERM, up to 5 s for it and the processes it forked (NSD's
# xfrd and server) to exit, then KILL; reap it.
srv_stop() {
	[ -n "$1" ] || return 0
	sv_pids="$1 $(srv_descendants "$1")"
	kill "$1" 2>/dev/null
	sv_n=0
	while [ $sv_n -lt 50 ]; do
		sv_left=""
		for sv_p in $sv_pids; do
			srv_is_running "$sv_p" && sv_left="$sv_left $sv_p"
		done
		[ -n "$sv_left" ] || break
		sleep 0.1
		sv_n=$((sv_n + 1))
	done
	# shellcheck disable=SC2086 # a list of PIDs
	[ -n "$sv_left" ] && kill -9 $sv_left 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

stop_nsd() {
	srv_stop "$NSD_PID"
	NSD_PID="" NSD_PORT=""
}

stop_unbound() {
	srv_stop "$UNBOUND_PID"
	UNBOUND_PID="" UNBOUND_PORT=""
}

# Registered once, at the first start: stops whatever is running then.
SERVERS_CLEANUP=""
srv_register_cleanup() {
	[ -n "$SERVERS_CLEANUP" ] && return 0
	SERVERS_CLEANUP=1
	at_exit "stop_unbound; stop_nsd; stop_nsd2; stop_postfix"
}

server_log() {          # NAME (nsd or unbound): what its latest run logged (at most 20 lines)
	echo "--- $WORK/$1.log:"
	awk '/^=== / { n = 0 } { line[n++] = $0 }
	    END { for (i = (n > 20 ? n - 20 : 0); i < n; i++) print line[i] }' "$WORK/$1.log" 2>/dev/null
}

dig_at() {              # PORT NAME TYPE
	dig +dnssec +time=2 +tries=1 @127.0.0.1 -p "$1" "$2" "$3"
}

# srv_wait PID PORT NAME TYPE [CLASS]: until the server at PORT answers with
# NOERROR, at most SERVERS_WAIT seconds. Returns 0 when it does, 1 as soon as
# PID has died (a port already taken: worth another port), 2 when it is up but
# never answers NOERROR in time (a bad zone: another port would not help).
srv_wait() {
	sv_deadline=$(($(date +%s) + SERVERS_WAIT))
	while srv_is_running "$1"; do
		if dig +norec +time=1 +tries=1 @127.0.0.1 -p "$2" ${5:+"$5"} "$3" "$4" 2>/dev/null |
		    grep -q 'status: NOERROR'; then
			srv_is_running "$1" && return 0
			return 1
		fi
		[ "$(date +%s)" -lt "$sv_deadline" ] || return 2
		sleep 0.1
	done
	return 1
}

# srv_nsd_control CTLDIR PORT: the remote-control lines of nsd.conf: control
# on at 127.0.0.1@PORT with the keys in CTLDIR, or off when CTLDIR is empty.
srv_nsd_control() {
	if [ -z "$1" ]; then
		printf '\tcontrol-enable: no\n'
		return 0
	fi
	printf '\tcontrol-enable: yes\n\tcontrol-interface: 127.0.0.1\n\tcontrol-port: %s\n' "$2"
	printf '\tserver-key-file: "%s"\n\tserver-cert-file: "%s"\n' "$1/nsd_server.key" "$1/nsd_server.pem"
	printf '\tcontrol-key-file: "%s"\n\tcontrol-cert-file: "%s"\n' "$1/nsd_control.key" "$1/nsd_control.pem"
}

# netns_enter SCRIPT: outside, run SCRIPT again in a new network namespace (the
# marker variable holds the outer namespace, so that the inner run can tell)
# and exit with its status; inside, bring up lo. Not allowed to make one:
# fail, never skip.
netns_enter() {
	if [ -z "${ZW_TEST_NETNS:-}" ]; then
		if ! command -v unshare >/dev/null 2>&1; then
			fail "unshare (util-linux) is not installed: this test needs a network namespace"
			finish
			exit
		fi
		CHECKS=$((CHECKS + 1))
		if ! unshare --net true 2>"$WORK/unshare.err"; then
			fail "cannot create a network namespace (unshare --net: $(cat "$WORK/unshare.err")):" \
			    "this test must run as root or with CAP_SYS_ADMIN"
			finish
			exit
		fi
		ZW_TEST_NETNS=$(readlink /proc/self/ns/net) unshare --net sh "$1" &
		ne_inner=$!
		trap 'kill -TERM $ne_inner 2>/dev/null; wait $ne_inner; exit 130' INT TERM HUP
		wait $ne_inner
		exit
	fi
	# Inside: only a loopback interface, down until we bring it up.
	CHECKS=$((CHECKS + 1))
	if [ "$(readlink /proc/self/ns/net)" = "$ZW_TEST_NETNS" ]; then
		fail "ZW_TEST_NETNS is set but this is the outer network namespace"
		finish
		exit
	fi
	if ! command -v ip >/dev/null 2>&1; then
		fail "ip (iproute2) is not installed: it brings up lo in the test's network namespace"
		finish
		exit
	fi
	if ! ip link set lo up 2>"$WORK/ip.err"; then
		fail "ip link set lo up in the test's network namespace: $(cat "$WORK/ip.err")"
		finish
		exit
	fi
}

start_nsd() {           # ZONE FILE [CTLDIR]
	srv_register_cleanup
	stop_nsd
	if [ -n "${3:-}" ] && [ ! -s "$3/nsd_control.pem" ]; then
		if ! { mkdir -p "$3" && nsd-control-setup -d "$3"; } >"$WORK/nsd-control-setup.log" 2>&1; then
			echo "start_nsd: nsd-control-setup -d $3 failed: $(cat "$WORK/nsd-control-setup.log")"
			return 1
		fi
	fi
	sv_try=1
	while [ $sv_try -le $SERVERS_TRIES ]; do
		sv_port=$(srv_random_port)
		sv_ctlport=$(srv_random_port)
		[ "$sv_ctlport" != "$sv_port" ] || sv_ctlport=$((sv_port + 1))
		cat >"$WORK/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$sv_port
	port: $sv_port
	do-ip6: no
	reuseport: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$WORK"
	database: ""
	zonelistfile: "$WORK/nsd.zonelist"
	xfrdfile: "$WORK/nsd.xfrd"
	xfrdir: "$WORK"
	pidfile: "$WORK/nsd.pid"
	logfile: "$WORK/nsd.log"
	verbosity: 2
remote-control:
$(srv_nsd_control "${3:-}" "$sv_ctlport")
zone:
	name: "$1"
	zonefile: "$2"
EOF
		rm -f "$WORK/nsd.zonelist" "$WORK/nsd.xfrd"
		echo "=== nsd try $sv_try, port $sv_port" >>"$WORK/nsd.log"
		nsd -d -c "$WORK/nsd.conf" >>"$WORK/nsd.log" 2>&1 &
		NSD_PID=$!
		srv_wait "$NSD_PID" "$sv_port" "$1" SOA
		sv_rc=$?
		if [ $sv_rc -eq 0 ]; then
			NSD_PORT=$sv_port
			return 0
		fi
		stop_nsd
		if [ $sv_rc -eq 2 ]; then
			echo "start_nsd: NSD runs but does not serve $1 from $2"
			server_log nsd
			return 1
		fi
		sv_try=$((sv_try + 1))
	done
	echo "start_nsd: NSD did not answer for $1 on any of $SERVERS_TRIES ports"
	server_log nsd
	return 1
}

start_unbound() {       # ZONE DSFILE [EPOCH]
	[ -n "$NSD_PORT" ] || { echo "start_unbound: start NSD first"; return 1; }
	srv_register_cleanup
	stop_unbound
	sv_try=1
	while [ $sv_try -le $SERVERS_TRIES ]; do
		sv_port=$(srv_random_port)
		cat >"$WORK/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$sv_port
	port: $sv_port
	so-reuseport: no
	num-threads: 1
	access-control: 127.0.0.0/8 allow
	username: ""
	chroot: ""
	directory: "$WORK"
	pidfile: "$WORK/unbound.pid"
	use-syslog: no
	logfile: "$WORK/unbound.log"
	log-servfail: yes
	do-daemonize: no
	verbosity: 0
	val-log-level: 2
	ede: yes
	module-config: "validator iterator"
	# Unbound answers the special-use "test." itself (RFC 6761) unless told not to.
	local-zone: "test." nodefault
	trust-anchor-file: "$2"
	trust-anchor-signaling: no
	root-key-sentinel: no
	# Signatures are checked at the test clock (NOW + 1 h unless told), not the wall clock.
	val-override-date: "${3:-$((NOW_EPOCH + 3600))}"
	# Loopback only, whatever a referral or a glue record says.
	do-ip6: no
	outgoing-interface: 127.0.0.1
	do-not-query-localhost: no
	do-not-query-address: 0.0.0.0/2
	do-not-query-address: 64.0.0.0/3
	do-not-query-address: 96.0.0.0/4
	do-not-query-address: 112.0.0.0/5
	do-not-query-address: 120.0.0.0/6
	do-not-query-address: 124.0.0.0/7
	do-not-query-address: 126.0.0.0/8
	do-not-query-address: 128.0.0.0/1
remote-control:
	control-enable: no
# The root too goes to NSD (which refuses it): no root-server priming.
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$NSD_PORT
stub-zone:
	name: "$1"
	stub-addr: 127.0.0.1@$NSD_PORT
EOF
		if ! unbound-checkconf "$WORK/unbound.conf" >"$WORK/unbound.check" 2>&1; then
			echo "start_unbound: bad configuration: $(cat "$WORK/unbound.check")"
			return 1
		fi
		echo "=== unbound try $sv_try, port $sv_port" >>"$WORK/unbound.log"
		unbound -d -c "$WORK/unbound.conf" >>"$WORK/unbound.log" 2>&1 &
		UNBOUND_PID=$!
		# Answered locally: the wait adds nothing to the cache.
		srv_wait "$UNBOUND_PID" "$sv_port" version.server TXT CH
		sv_rc=$?
		if [ $sv_rc -eq 0 ]; then
			UNBOUND_PORT=$sv_port
			return 0
		fi
		stop_unbound
		if [ $sv_rc -eq 2 ]; then
			echo "start_unbound: Unbound runs but does not answer"
			server_log unbound
			return 1
		fi
		sv_try=$((sv_try + 1))
	done
	echo "start_unbound: Unbound did not answer on any of $SERVERS_TRIES ports"
	server_log unbound
	return 1
}

# expect_answer LABEL NAME TYPE STATUS AD RDATA: Unbound's answer has rcode
# STATUS, the AD bit iff AD is "ad", and a NAME TYPE record with RDATA
# (compared without spaces and case, as dig splits and upper-cases hex),
# or no answer at all when RDATA is "-".
expect_answer() {
	ea_label="$1: $2 $3"
	CHECKS=$((CHECKS + 1))
	if ! dig_at "$UNBOUND_PORT" "$2" "$3" >"$WORK/answer" 2>&1; then
		fail "$ea_label: no reply from Unbound: $(cat "$WORK/answer")"
		return 1
	fi
	ea_status=$(sed -n 's/^;; ->>HEADER<<-.* status: \([A-Z]*\),.*/\1/p' "$WORK/answer")
	ea_flags=$(sed -n 's/^;; flags:\([^;]*\);.*/\1 /p' "$WORK/answer")
	ea_ad=noad
	case "$ea_flags" in *" ad "*) ea_ad=ad ;; esac
	ea_got=$(awk -v name="$2." -v type="$3" '
	    /^;; ANSWER SECTION:/ { on = 1; next }
	    /^$/ { on = 0 }
	    on && tolower($1) == tolower(name) && $4 == type {
	        $1 = $2 = $3 = $4 = ""; gsub(/ /, ""); print tolower($0) }' "$WORK/answer")
	ea_want=$(echo "$6" | tr -d ' ' | tr '[:upper:]' '[:lower:]')
	[ "$6" = - ] && ea_want=""
	if [ "$ea_status" != "$4" ] || [ "$ea_ad" != "$5" ] || [ "$ea_got" != "$ea_want" ]; then
		fail "$ea_label: got $ea_status $ea_ad '$ea_got', want $4 $5 '$6'"
		sed 's/^/    /' "$WORK/answer"
		server_log unbound
		return 1
	fi
}

# Postfix: its own config, queue and data folders under $WORK/postfix, only
# smtpd (with postlogd for its log, postfix.log, and tlsmgr) in master.cf.
stop_postfix() {
	[ -n "$POSTFIX_DIR" ] || return 0
	postfix -c "$POSTFIX_DIR/conf" stop >/dev/null 2>&1
	sv_n=0
	while [ -s "$POSTFIX_DIR/queue/pid/master.pid" ] &&
	    srv_is_running "$(tr -d ' ' <"$POSTFIX_DIR/queue/pid/master.pid")" && [ $sv_n -lt 50 ]; do
		sleep 0.1
		sv_n=$((sv_n + 1))
	done
	[ -s "$POSTFIX_DIR/queue/pid/master.pid" ] &&
		kill -9 "$(tr -d ' ' <"$POSTFIX_DIR/queue/pid/master.pid")" 2>/dev/null
	rm -f "$POSTFIX_DIR/queue/pid/master.pid"
	POSTFIX_DIR=""
}

start_postfix() {       # ADDR TLSFILES [LEVEL]
	srv_register_cleanup
	stop_postfix
	POSTFIX_DIR=$WORK/postfix
	mkdir -p "$POSTFIX_DIR/conf" "$POSTFIX_DIR/queue" "$POSTFIX_DIR/data"
	chown postfix "$POSTFIX_DIR/data" || { echo "start_postfix: no postfix user"; return 1; }
	# The postfix user must reach its data folder: $WORK may be passed through, not read.
	chmod 0711 "$WORK" "$POSTFIX_DIR"
	ip addr add "$1/32" dev lo 2>/dev/null
	cat >"$POSTFIX_DIR/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $POSTFIX_DIR/queue
data_directory = $POSTFIX_DIR/data
mail_owner = postfix
inet_interfaces = $1
inet_protocols = ipv4
myhostname = mail.example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
smtpd_tls_security_level = ${3:-may}
smtpd_tls_chain_files = $2
smtpd_tls_loglevel = 1
maillog_file_prefixes = $WORK
maillog_file = $WORK/postfix.log
EOF
	cat >"$POSTFIX_DIR/conf/master.cf" <<EOF
$1:25 inet n - n - - smtpd
$1:465 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
postlog unix-dgram n - n - 1 postlogd
tlsmgr unix - - n 1000? 1 tlsmgr
EOF
	echo "=== postfix" >>"$WORK/postfix.log"
	if ! postfix -c "$POSTFIX_DIR/conf" start >>"$WORK/postfix.start" 2>&1; then
		echo "start_postfix: postfix start failed: $(tail -n 5 "$WORK/postfix.log")"
		return 1
	fi
	sv_deadline=$(($(date +%s) + SERVERS_WAIT))
	# s_client says CONNECTED once the TCP connection stands (the master listens).
	until printf 'QUIT\r\n' | timeout 2 openssl s_client -connect "$1:25" -starttls smtp 2>&1 |
	    grep -q '^CONNECTED'; do
		[ "$(date +%s)" -lt "$sv_deadline" ] || {
			echo "start_postfix: no SMTP answer on $1:25: $(tail -n 5 "$WORK/postfix.log")"
			return 1
		}
		sleep 0.2
	done
}

# The second NSD: a daemon with its pid file in $WORK/nsd2.pid.
stop_nsd2() {
	[ -f "$WORK/nsd2.pid" ] || return 0
	kill "$(cat "$WORK/nsd2.pid" 2>/dev/null)" 2>/dev/null
	sv_n=0
	while [ -f "$WORK/nsd2.pid" ] && kill -0 "$(cat "$WORK/nsd2.pid" 2>/dev/null)" 2>/dev/null &&
	    [ $sv_n -lt 50 ]; do
		sleep 0.1
		sv_n=$((sv_n + 1))
	done
	rm -f "$WORK/nsd2.pid"
}

start_nsd2() {          # ZONE FILE
	srv_register_cleanup
	stop_nsd2
	cat >"$WORK/nsd2.conf" <<EOF
server:
	ip-address: 127.0.0.2@$NSD_PORT
	port: $NSD_PORT
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$WORK"
	database: ""
	zonelistfile: "$WORK/nsd2.zonelist"
	xfrdfile: "$WORK/nsd2.xfrd"
	pidfile: "$WORK/nsd2.pid"
	logfile: "$WORK/nsd2.log"
remote-control:
	control-enable: no
zone:
	name: "$1"
	zonefile: "$2"
EOF
	rm -f "$WORK/nsd2.zonelist" "$WORK/nsd2.xfrd"
	# The old server may hold the port a moment after it is gone: try again.
	sv_n=0
	until nsd -c "$WORK/nsd2.conf" 2>>"$WORK/nsd2.log"; do
		sv_n=$((sv_n + 1))
		[ $sv_n -lt 20 ] || { echo "start_nsd2: NSD 2 did not start: $(tail -n 5 "$WORK/nsd2.log")"; return 1; }
		sleep 0.25
	done
	sv_want=$(awk '$4 == "SOA" { print $7; exit }' "$2")
	sv_n=0
	until [ "$(dig +short +norec +time=1 +tries=1 @127.0.0.2 -p "$NSD_PORT" "$1" SOA |
	    awk '{ print $3 }')" = "$sv_want" ]; do
		sv_n=$((sv_n + 1))
		[ $sv_n -lt 50 ] || { echo "start_nsd2: NSD 2 does not serve serial $sv_want"; return 1; }
		sleep 0.2
	done
}
