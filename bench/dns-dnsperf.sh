#!/usr/bin/env bash
# Authoritative DNS queries/s and latency: `tandem dns` against Debian's BIND 9 serving the same
# zone on the same machine, each pinned to core 0 (BIND with one worker thread, -n 1), dnsperf
# pinned to core 1 with the same query file, one run each.
#
#   DURATION=20 RECORDS=1000 bench/dns-dnsperf.sh
#   SKIP_QUIET_WAIT=1 DURATION=3 RECORDS=200 bench/dns-dnsperf.sh    # a smoke test of the script
#
# Both servers are first checked with dig to give the same answers (status and addresses) for
# a sample of the queries. Prints queries/s and average latency for both and the ratio.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-20}
RECORDS=${RECORDS:-1000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

tmp=$(mktemp -d /tmp/tandem-dns-bench.XXXXXX)
tandem_pid="" named_pid=""
cleanup() {
  stop_pid "$tandem_pid"
  stop_pid "$named_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_tools dnsperf:dnsperf /usr/sbin/named:bind9 dig:dnsutils taskset:util-linux
build_tandem
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Measure on a quiet machine: wait (QUIET_WAIT seconds, default 600) for a 1-minute load under
# QUIET_LOAD (default 0.5); SKIP_QUIET_WAIT=1 measures at once, for a smoke test of the script.
if [ -z "${SKIP_QUIET_WAIT:-}" ]; then
  waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="${QUIET_LOAD:-0.5}" 'BEGIN { exit !(l >= m) }'; do
    if [ "$waited" -ge "${QUIET_WAIT:-600}" ]; then
      echo "bench: load $(load_average) after ${waited}s; measuring anyway, so do not quote these figures" >&2
      break
    fi
    sleep 15
    waited=$((waited + 15))
  done
fi
echo "machine: $(nproc) cores, $(date -u +%FT%TZ), load $(load_average), other work using $(cpu_busy 2)% of the CPU"

# The zone: RECORDS A records host-N, an apex with SOA/NS/MX/TXT, a www failover-style set.
zone=example.test
{
  echo "\$ORIGIN $zone."
  echo "\$TTL 300"
  echo "@ 3600 IN SOA ns1.$zone. hostmaster.$zone. 1 3600 600 604800 60"
  echo "@ 3600 IN NS ns1.$zone."
  echo "ns1 IN A 127.0.0.1"
  echo "@ IN MX 10 mail.$zone."
  echo "@ IN TXT \"v=spf1 -all\""
  echo "www 30 IN A 192.0.2.1"
  for i in $(seq 1 "$RECORDS"); do echo "host-$i IN A 10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"; done
} >"$tmp/zone.db"

records=$(
  echo '{ "name": "ns1", "type": "A", "values": ["127.0.0.1"] },'
  echo '{ "name": "@", "type": "MX", "values": ["10 mail.example.test"] },'
  echo '{ "name": "@", "type": "TXT", "values": ["v=spf1 -all"] },'
  echo '{ "name": "www", "type": "A", "ttl": 30, "failover": { "primary": { "value": "192.0.2.1" }, "secondary": { "value": "198.51.100.1" } } },'
  for i in $(seq 1 "$RECORDS"); do
    sep=","; [ "$i" -eq "$RECORDS" ] && sep=""
    echo "{ \"name\": \"host-$i\", \"type\": \"A\", \"values\": [\"10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))\"] }$sep"
  done
)
tandem_port=$(free_port)
cat >"$tmp/tandem.json" <<JSON
{
  "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
  "dns": {
    "nodes": { "bench": { "listen": "127.0.0.1:$tandem_port", "metricsListen": "127.0.0.1:0" } },
    "zones": { "$zone": { "nameServers": ["ns1.$zone"], "soa": { "negativeTtl": 60 }, "records": [ $records ] } }
  }
}
JSON

# Queries: mostly existing names, some www, MX, TXT, NODATA and NXDOMAIN, shuffled with a fixed seed.
{
  for i in $(seq 1 "$RECORDS"); do echo "host-$i.$zone A"; done
  for _ in $(seq 1 $((RECORDS / 10))); do
    echo "www.$zone A"; echo "$zone MX"; echo "$zone TXT"; echo "www.$zone AAAA"; echo "nope-$RANDOM.$zone A"
  done
} | shuf --random-source=<(yes) >"$tmp/queries.txt"

named_port=$(free_port)
mkdir -p "$tmp/bind"
cat >"$tmp/named.conf" <<CONF
options {
  directory "$tmp/bind";
  pid-file "$tmp/bind/named.pid";
  listen-on port $named_port { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  minimal-responses yes;  # as tandem dns answers: no NS and glue beside positive answers
};
zone "$zone" { type primary; file "$tmp/zone.db"; };
CONF

taskset -c "$SERVER_CPU" /usr/sbin/named -g -n 1 -c "$tmp/named.conf" >"$tmp/named.log" 2>&1 &
named_pid=$!
taskset -c "$SERVER_CPU" "$root/tandem" dns bench --config "$tmp/tandem.json" >"$tmp/tandem.log" 2>&1 &
tandem_pid=$!
for _ in $(seq 1 300); do
  grep -q ' ready: ' "$tmp/tandem.log" && dig +short +tries=1 +time=1 @127.0.0.1 -p "$named_port" "ns1.$zone" A >/dev/null 2>&1 && break
  sleep 0.1
done
grep -q ' ready: ' "$tmp/tandem.log" || { cat "$tmp/tandem.log" >&2; echo "bench: tandem dns did not start" >&2; exit 1; }

# Same answers from both, for a sample of the query file.
while read -r name type; do
  a=$(dig +norec +tries=1 @127.0.0.1 -p "$tandem_port" "$name" "$type" | grep -E 'status:|^[^;].*IN' | sed 's/, id: [0-9]*//' | awk '{print $1, $NF}' | sort)
  b=$(dig +norec +tries=1 @127.0.0.1 -p "$named_port" "$name" "$type" | grep -E 'status:|^[^;].*IN' | sed 's/, id: [0-9]*//' | awk '{print $1, $NF}' | sort)
  [ "$a" = "$b" ] || { echo "bench: $name $type differs:"; echo "tandem: $a"; echo "bind9: $b"; exit 1; } >&2
done < <(head -n 40 "$tmp/queries.txt")
echo "answers: tandem dns and bind9 agree on the first 40 queries"

run() {
  local port="$1" out="$2"
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries.txt" -l "$DURATION" -q 200 >"$out" 2>&1
  local qps lat lost
  qps=$(awk '/Queries per second:/ { print $4 }' "$out")
  lat=$(awk '/Average Latency/ { print $4 * 1000 }' "$out")
  lost=$(awk '/Queries lost:/ { print $3 }' "$out")
  echo "$qps $lat $lost"
}

read -r t_qps t_lat t_lost < <(run "$tandem_port" "$tmp/dnsperf-tandem.txt")
read -r b_qps b_lat b_lost < <(run "$named_port" "$tmp/dnsperf-bind.txt")
printf '%-12s %14s %14s %8s\n' server "queries/s" "avg latency ms" lost
printf '%-12s %14.0f %14.3f %8s\n' "tandem dns" "$t_qps" "$t_lat" "$t_lost"
printf '%-12s %14.0f %14.3f %8s\n' "bind9" "$b_qps" "$b_lat" "$b_lost"
awk -v t="$t_qps" -v b="$b_qps" 'BEGIN { printf "ratio: tandem dns / bind9 = %.2fx queries/s\n", t / b }'
echo "load after: $(load_average)"
