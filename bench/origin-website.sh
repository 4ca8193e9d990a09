#!/usr/bin/env bash
# Website-endpoint GET throughput and p99 latency of a Tandem origin against Debian's nginx
# serving the same two files (10 KB and 1 MB). Each server runs alone on core 0, wrk on core 1;
# nginx's passes and Tandem's take turns, each after a warm-up pass, for ROUNDS rounds.
#
#   bench/origin-website.sh                      # 2 rounds of 8 s per server and size (~2 min)
#   ROUNDS=5 DURATION=30 WARMUP=5 CONNECTIONS=64 bench/origin-website.sh
#
# Before its first round each server gets FIRST_WARMUP seconds (default 20) of the 10 KB GET:
# a .NET server on one core needs 20-30 s under load to tier its hot path up to fully
# optimised code (dynamic PGO); nginx gets the same, though it does not need it.
#
# Prints the load average, every pass, and a table of the best round's requests/s (and that
# round's p99) per server and size with the ratio Tandem/nginx: other work on the machine only
# ever slows a pass, so the best round is the one it disturbed least. Needs 2 cores; installs
# nginx-light, wrk, awscli and util-linux when missing.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration="${DURATION:-8}"
warmup="${WARMUP:-1}"
first_warmup="${FIRST_WARMUP:-20}"
rounds="${ROUNDS:-2}"
connections="${CONNECTIONS:-32}"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"
sizes=(10k 1m)

ensure_tools nginx:nginx-light wrk:wrk /usr/bin/aws:awscli taskset:util-linux curl:curl
if [ "$(nproc --all)" -lt 2 ]; then
  echo "bench: needs two cores (server on $server_cpu, wrk on $client_cpu); this machine has $(nproc --all)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench.XXXXXX")
origin_pid=""
nginx_pid=""
cleanup() {
  stop_pid "$nginx_pid"
  stop_pid "$origin_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "load average before: $(load_average); cores busy with other work: $(cpu_busy 3)%"
if awk '{ exit !($1 >= 1.0) }' /proc/loadavg; then
  echo "bench: warning: 1-minute load is $(cut -d' ' -f1 /proc/loadavg); other work on the cores will skew the figures" >&2
fi

# The same bytes for both servers.
docroot="$tmp/docroot"
mkdir -p "$docroot"
head -c 10240 /dev/urandom >"$docroot/10k.bin"
head -c 1048576 /dev/urandom >"$docroot/1m.bin"

build_tandem
use_origin_credentials
start_origin "$server_cpu" "$tmp/data" "$tmp/origin.log"
create_website_bucket
for size in "${sizes[@]}"; do
  s3 s3 cp --only-show-errors "$docroot/$size.bin" "s3://site/$size.bin"
done

# nginx as this user, with nothing from /etc/nginx: one worker, sendfile, no access log.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx/body;
  server {
    listen 127.0.0.1:$port;
    root $docroot;
  }
}
EOF
taskset -c "$server_cpu" nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
nginx_url="http://127.0.0.1:$port"
for _ in $(seq 1 50); do
  curl -fso /dev/null "$nginx_url/10k.bin" && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$tmp/nginx/error.log" >&2; echo "bench: nginx exited" >&2; exit 1; }
  sleep 0.1
done

# Both must answer with exactly the file before their figures mean anything.
for url in "$nginx_url" "$website_url"; do
  for size in "${sizes[@]}"; do
    curl -fsS -o "$tmp/check" "$url/$size.bin"
    cmp -s "$tmp/check" "$docroot/$size.bin" || { echo "bench: $url/$size.bin differs from the file" >&2; exit 1; }
  done
done

# run_wrk SECONDS URL OUT: wrk on the client core; fails on non-2xx answers and on connect,
# read or write errors. Timeouts (no answer within wrk's 2 s) are what an overloaded machine
# looks like, not a wrong answer: the pass is reported and the other rounds decide.
run_wrk() {
  taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"$1"s --latency "$2" >"$3"
  if grep -q 'Non-2xx' "$3" || grep -Eq 'Socket errors: connect [1-9]|read [1-9]|write [1-9]' "$3"; then
    cat "$3" >&2
    echo "bench: wrk saw errors against $2" >&2
    exit 1
  fi
}

# Requests/s, and p99 in milliseconds, from wrk --latency output.
requests_per_second() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99_ms() {
  awk '$1 == "99%" {
    v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    f = (unit == "us") ? 0.001 : (unit == "s") ? 1000 : (unit == "m") ? 60000 : 1
    printf "%.2f\n", v * f
  }' "$1"
}

# One server at a time: the other is idle while it is measured. Taking turns spreads any
# outside load over both.
declare -A rps p99
for round in $(seq 1 "$rounds"); do
  for server in nginx tandem; do
    if [ "$server" = nginx ]; then base="$nginx_url"; else base="$website_url"; fi
    if [ "$round" = 1 ]; then
      run_wrk "$first_warmup" "$base/${sizes[0]}.bin" "$tmp/warmup.txt"
    fi
    for size in "${sizes[@]}"; do
      run_wrk "$warmup" "$base/$size.bin" "$tmp/warmup.txt"
      run_wrk "$duration" "$base/$size.bin" "$tmp/pass.txt"
      r=$(requests_per_second "$tmp/pass.txt") p=$(p99_ms "$tmp/pass.txt")
      timeouts=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' "$tmp/pass.txt")
      echo "round $round $server $size: $r req/s, p99 $p ms, load $(cut -d' ' -f1 /proc/loadavg)${timeouts:+, $timeouts timeouts}"
      if [ -z "${rps[$server-$size]:-}" ] || awk -v a="$r" -v b="${rps[$server-$size]}" 'BEGIN { exit !(a > b) }'; then
        rps[$server-$size]=$r p99[$server-$size]=$p
      fi
    done
  done
done

echo "load average after: $(load_average)"
echo
echo "wrk -t1 -c$connections -d${duration}s --latency, server on core $server_cpu, wrk on core $client_cpu, best of $rounds rounds"
printf '| %-6s | %14s | %13s | %14s | %13s | %13s | %13s |\n' object "nginx req/s" "nginx p99 ms" "Tandem req/s" "Tandem p99 ms" "req/s ratio" "p99 ratio"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "--------" "----------------" "---------------" "----------------" "---------------" "---------------" "---------------"
for size in "${sizes[@]}"; do
  n="${rps[nginx-$size]}" t="${rps[tandem-$size]}"
  np="${p99[nginx-$size]}" tp="${p99[tandem-$size]}"
  printf '| %-6s | %14.0f | %13s | %14.0f | %13s | %13s | %13s |\n' "$(tr 'km' 'KM' <<<"$size")B" "$n" "$np" "$t" "$tp" \
    "$(awk -v a="$t" -v b="$n" 'BEGIN { printf "%.2fx", a / b }')" \
    "$(awk -v a="$tp" -v b="$np" 'BEGIN { printf "%.2fx", a / b }')"
done
