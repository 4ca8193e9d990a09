#!/usr/bin/env bash
# A frozen primary under steady load: a Tandem edge with the origin group [primary, standby],
# then nginx with `server PRIMARY max_fails=1 fail_timeout=10s; server STANDBY backup;` and
# proxy_next_upstream, both in front of two real `tandem origin` processes. hey sends a steady
# load; FREEZE_AT seconds in, the primary gets SIGSTOP (it keeps its sockets, so connects still
# succeed and requests just hang: the hard case). Reported per side: the slowest request and
# the p99 of the requests in flight during the WINDOW seconds after the freeze, and the p99 of
# each second (by request start) to show when it is back under 50 ms.
#
#   CONCURRENCY=16 RATE=25 FREEZE_AT=3 WINDOW=10 bench/edge-frozen-primary.sh
#
# The edge's behavior for the measured path has a zero TTL and no stale-if-error, so every
# request goes to the origin group (concurrent ones for the same key share one fetch, as the
# edge always does); nginx's location has no cache. nginx gets the edge's default timeouts:
# proxy_connect_timeout 1s (connectTimeoutMs 1000), proxy_read_timeout 5s (responseTimeoutMs 5000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/edge-lib.sh"
trap edge_cleanup EXIT
trap 'exit 130' INT TERM

CONCURRENCY=${CONCURRENCY:-16}
RATE=${RATE:-25} # per hey worker: CONCURRENCY x RATE requests/s offered
FREEZE_AT=${FREEZE_AT:-3}
WINDOW=${WINDOW:-10}
DURATION=${DURATION:-$((FREEZE_AT + WINDOW + 2))}
OBJECT=/bench/10k.html

ensure_packages hey:hey /usr/sbin/nginx:nginx-light curl:curl /usr/bin/aws:awscli
[ "${SKIP_QUIET_WAIT:-}" ] || wait_for_quiet
machine_line

write_config '[
      { "pathPattern": "/bench/*", "target": "site", "cachePolicy": { "minTtl": 0, "defaultTtl": 0, "maxTtl": 0, "staleIfErrorTtl": 0 } },
      { "pathPattern": "*", "target": "site" }
    ]'
make_site "$BENCH_TMP/site"

# run_side NAME URL: fresh origins, warm-up, hey with a freeze at FREEZE_AT; CSV in $BENCH_TMP/NAME.csv.
run_side() {
  local side=$1
  start_origin primary
  local primary_pid=$ORIGIN_PID
  # The published CLI runs as "tandem" (self-contained); a framework-dependent build as "dotnet".
  case "$(ps -o comm= -p "$primary_pid")" in
    tandem | dotnet) ;;
    *) die "pid $primary_pid is not the origin's process" ;;
  esac
  fill_bucket primary "$P_S3" "$BENCH_TMP/site"
  start_origin standby
  local standby_pid=$ORIGIN_PID
  fill_bucket standby "$S_S3" "$BENCH_TMP/site"
  local url
  if [ "$side" = tandem ]; then
    start_edge
    url="http://127.0.0.1:$EDGE_HTTP$OBJECT"
  else
    local port
    port=$(free_port)
    start_nginx "
  upstream origins {
    server 127.0.0.1:$P_WEB max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$S_WEB backup;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_next_upstream error timeout http_500 http_502 http_503 http_504;
      proxy_connect_timeout 1s;
      proxy_read_timeout 5s;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_pass http://origins;
      add_header X-Upstream \$upstream_addr;
    }
  }"
    url="http://127.0.0.1:$port$OBJECT"
  fi

  local code
  code=$(curl -s -o "$BENCH_TMP/$side.body" -w '%{http_code}' "$url")
  [ "$code" = 200 ] && cmp -s "$BENCH_TMP/$side.body" "$BENCH_TMP/site$OBJECT" || die "$side: answered $code or different bytes"
  if [ "$side" = tandem ]; then
    curl -s -D - -o /dev/null "$url" | grep -qiE '^x-cache: (miss|refreshhit)' || die "tandem: the measured path is served from cache"
  fi
  hey -z 2s -c "$CONCURRENCY" -q "$RATE" "$url" >/dev/null # warm-up

  log "$side: hey -z ${DURATION}s -c $CONCURRENCY -q $RATE, SIGSTOP primary (pid $primary_pid) at ${FREEZE_AT}s"
  local start stop
  start=$(date +%s.%N)
  hey -z "${DURATION}s" -c "$CONCURRENCY" -q "$RATE" -o csv "$url" >"$BENCH_TMP/$side.csv" &
  local hey_pid=$!
  sleep "$FREEZE_AT"
  kill -STOP "$primary_pid"
  STOPPED+=("$primary_pid")
  stop=$(date +%s.%N)
  wait "$hey_pid"
  awk -v a="$start" -v b="$stop" 'BEGIN { printf "%.3f", b - a }' >"$BENCH_TMP/$side.freeze"

  # Next side starts from scratch: thaw and stop both origins, the edge or nginx.
  kill -CONT "$primary_pid"
  if [ "$side" = tandem ]; then
    kill "$EDGE_PID"
    wait "$EDGE_PID" 2>/dev/null || true
  else
    stop_nginx
  fi
  kill "$primary_pid" "$standby_pid"
  wait "$primary_pid" "$standby_pid" 2>/dev/null || true
  rm -rf "$BENCH_TMP/primary" "$BENCH_TMP/standby"
}

# report NAME: per-second p99 by intended request start, relative to the freeze, and the window.
# hey is a closed loop: a worker stuck on a frozen origin sends nothing meanwhile, so the
# requests it would have sent are missing from its CSV. As wrk2 and HdrHistogram do, each
# response slower than the worker's interval (1/RATE) also counts the requests that were due
# meanwhile, with the latency they would have seen (rt - I, rt - 2I, ...). Raw figures are
# printed too.
report() {
  local side=$1 freeze
  freeze=$(cat "$BENCH_TMP/$side.freeze")
  awk -F, -v f="$freeze" -v interval="$(awk -v r="$RATE" 'BEGIN { print 1000 / r }')" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
      rt = $col["response-time"] * 1000; off = $col["offset"]; ok = $col["status-code"] == 200
      for (k = 0; k == 0 || rt - k * interval >= interval; k++) {
        t = off + k * interval / 1000; v = rt - k * interval
        printf "%d %.3f %d %d %.4f\n", int(t - f + 1000) - 1000, v, ok, k == 0, t - f
      }
    }' "$BENCH_TMP/$side.csv" | sort -k1,1n -k2,2n >"$BENCH_TMP/$side.samples"

  printf '%s: freeze at %.2f s into the run\n' "$side" "$freeze"
  printf '  second  sent  with-due  non-200   p50 ms    p99 ms    max ms\n'
  awk -v w="$WINDOW" '
    function flush(   k50, k99) {
      if (!n) return
      k50 = int(0.5 * n + 0.999999); k99 = int(0.99 * n + 0.999999)
      printf "  %+6d  %4d  %8d  %7d  %7.1f  %8.1f  %8.1f\n", sec, raw, n, bad, v[k50], v[k99], v[n]
      if (sec >= 0 && sec < w) { if (v[k99] < 50) { if (back == "") back = sec } else back = "" }
    }
    $1 != sec { flush(); sec = $1; n = 0; raw = 0; bad = 0 }
    { v[++n] = $2; raw += $4; if (!$3) bad++ }
    END {
      flush()
      if (back == "") print "  p99 per second not back under 50 ms within the window"
      else printf "  p99 per second under 50 ms from second %d after the freeze on (aim: within 2 s)\n", back
    }' "$BENCH_TMP/$side.samples"
  # Window: every request (and due request) that started in [freeze, freeze + WINDOW), plus those
  # already in flight at the freeze.
  awk -v w="$WINDOW" '$5 < w && ($5 >= 0 || $5 * 1000 + $2 > 0)' "$BENCH_TMP/$side.samples" | sort -k2,2n |
    awk '{ v[++n] = $2; raw += $4; if (!$3) bad++ } END {
      printf "  window [freeze, freeze+%ss): %d sent (%d with the due ones), %d non-200, slowest %.1f ms, p99 %.1f ms, p50 %.1f ms\n",
        w, raw, n, bad, v[n], v[int(0.99 * n + 0.999999)], v[int(0.5 * n + 0.999999)] }' w="$WINDOW"
  awk -v w="$WINDOW" '$4 == 1 && $5 < w && ($5 >= 0 || $5 * 1000 + $2 > 0)' "$BENCH_TMP/$side.samples" | sort -k2,2n |
    awk '{ v[++n] = $2 } END { printf "  raw (sent requests only): slowest %.1f ms, p99 %.1f ms\n", v[n], v[int(0.99 * n + 0.999999)] }'
}

run_side tandem
run_side nginx
echo
echo "Frozen primary: hey -c $CONCURRENCY -q $RATE ($((CONCURRENCY * RATE)) req/s offered) on $OBJECT for ${DURATION}s; SIGSTOP at ${FREEZE_AT}s"
echo "(seconds relative to the freeze, by intended start; 'with-due' adds the requests a stuck worker owed)"
report tandem
report nginx
