#!/usr/bin/env bash
# Cache-hit requests/s and p99 for a 10 KB object: a Tandem edge against Debian's nginx with
# proxy_cache, each pinned to core 0 (one worker), wrk pinned to core 1, in alternating rounds.
#
#   DURATION=10 ROUNDS=3 CONNECTIONS=32 bench/edge-cache-hit.sh
#
# Both sides proxy the same Tandem origin website endpoint, have their access log off, and are
# checked to answer 200 with the same bytes before measuring; every Tandem round must be all
# cache hits (the edge's /metrics hit and miss counters are read before and after).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/edge-lib.sh"
trap edge_cleanup EXIT
trap 'exit 130' INT TERM

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-3}
EDGE_CPU=${EDGE_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
OBJECT=/bench/10k.html

ensure_packages wrk:wrk /usr/sbin/nginx:nginx-light taskset:util-linux curl:curl /usr/bin/aws:awscli
[ "${SKIP_QUIET_WAIT:-}" ] || wait_for_quiet
machine_line

write_config '[{ "pathPattern": "*", "target": "site", "cachePolicy": { "defaultTtl": 600 } }]'
make_site "$BENCH_TMP/site"
# One origin is enough: a hit never reaches it. It runs on the wrk core, idle during the runs.
start_origin primary taskset -c "$WRK_CPU"
fill_bucket primary "$P_S3" "$BENCH_TMP/site"
start_edge taskset -c "$EDGE_CPU"

NGX=$(free_port)
start_nginx "
  proxy_cache_path $BENCH_TMP/nginx/cache levels=1:2 keys_zone=edge:10m max_size=256m inactive=60m use_temp_path=off;
  upstream origin { server 127.0.0.1:$P_WEB; keepalive 16; }
  server {
    listen 127.0.0.1:$NGX;
    location / {
      proxy_cache edge;
      proxy_cache_valid 200 10m;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host 127.0.0.1:$P_WEB;
      proxy_pass http://origin;
      add_header X-Cache \$upstream_cache_status;
    }
  }" taskset -c "$EDGE_CPU"

TANDEM_URL="http://127.0.0.1:$EDGE_HTTP$OBJECT"
NGINX_URL="http://127.0.0.1:$NGX$OBJECT"
ORIGIN_URL="http://127.0.0.1:$P_WEB$OBJECT"

# Same status and bytes from the origin, Tandem and nginx; the second request is a hit on both.
curl -sf -o "$BENCH_TMP/origin.body" "$ORIGIN_URL"
for side in tandem nginx; do
  url=TANDEM_URL
  [ $side = nginx ] && url=NGINX_URL
  curl -sf -o /dev/null "${!url}" || die "$side: first request failed"
  code=$(curl -s -D "$BENCH_TMP/$side.headers" -o "$BENCH_TMP/$side.body" -w '%{http_code}' "${!url}")
  [ "$code" = 200 ] || die "$side answered $code"
  cmp -s "$BENCH_TMP/origin.body" "$BENCH_TMP/$side.body" || die "$side's body differs from the origin's"
  grep -qi '^x-cache: hit' "$BENCH_TMP/$side.headers" || die "$side: second request was not a hit: $(cat "$BENCH_TMP/$side.headers")"
done
log "both answer 200 with the same $(stat -c %s "$BENCH_TMP/origin.body") bytes, X-Cache: Hit"

cache_lookups() {
  curl -sf "http://127.0.0.1:$EDGE_ADMIN/metrics" |
    awk -v r="$1" '$1 ~ /^tandem_edge_cache_lookups_total/ && $1 ~ "result=\"" r "\"" { print $2 }'
}

run_wrk() { # run_wrk URL SECONDS OUT
  taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency "$1" >"$3"
}

log "warm-up: ${WARMUP}s of wrk on each"
run_wrk "$TANDEM_URL" "$WARMUP" "$BENCH_TMP/warm-tandem.txt"
run_wrk "$NGINX_URL" "$WARMUP" "$BENCH_TMP/warm-nginx.txt"

results="$BENCH_TMP/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for side in tandem nginx; do
    out="$BENCH_TMP/$side-$round.txt"
    url=TANDEM_URL
    [ $side = nginx ] && url=NGINX_URL
    if [ $side = tandem ]; then
      hits0=$(cache_lookups hit) misses0=$(cache_lookups miss)
    fi
    load=$(load1)
    run_wrk "${!url}" "$DURATION" "$out"
    grep -q 'Non-2xx' "$out" && { cat "$out" >&2; die "$side round $round: non-2xx answers"; }
    # Socket errors (a stall of the shared VM shows as wrk timeouts) are reported, not fatal.
    errors=$(awk '/Socket errors/ { gsub(",", ""); print "connect " $4 " read " $6 " write " $8 " timeout " $10 }' "$out")
    if [ $side = tandem ]; then
      hits=$(($(cache_lookups hit) - hits0)) misses=$(($(cache_lookups miss) - misses0))
      [ "$misses" -eq 0 ] || die "tandem round $round: $misses cache misses during the run"
      check="$hits hits, 0 misses"
    else
      check="-"
    fi
    [ -n "$errors" ] && check="$check; socket errors: $errors"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$round" "$(wrk_rps "$out")" "$(wrk_p 50 "$out")" "$(wrk_p 99 "$out")" "$load" "$check" | tee -a "$results" >&2
  done
done

best() { awk -F'\t' -v s="$1" '$1 == s && $3 > b { b = $3; line = $0 } END { print line }' "$results"; }
bt=$(best tandem) bn=$(best nginx)
echo
echo "10 KB cache hit, wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency, server on core $EDGE_CPU, wrk on core $WRK_CPU"
printf '%-7s %5s %12s %9s %9s %8s  %s\n' side round 'requests/s' 'p50 ms' 'p99 ms' 'load1' 'cache check'
awk -F'\t' '{ printf "%-7s %5s %12.0f %9.3f %9.3f %8s  %s\n", $1, $2, $3, $4, $5, $6, $7 }' "$results"
echo
awk -F'\t' -v t="$bt" -v n="$bn" 'BEGIN {
  split(t, a, "\t"); split(n, b, "\t")
  printf "best tandem: %.0f req/s, p99 %.3f ms (round %s)\n", a[3], a[5], a[2]
  printf "best nginx:  %.0f req/s, p99 %.3f ms (round %s)\n", b[3], b[5], b[2]
  printf "ratio tandem/nginx (best vs best): %.2fx requests/s (aim >= 1.25x)\n", a[3] / b[3] }'
awk -F'\t' '{ s[$1] += $3; n[$1]++ } END { printf "ratio of means: %.2fx\n", (s["tandem"] / n["tandem"]) / (s["nginx"] / n["nginx"]) }' "$results"
