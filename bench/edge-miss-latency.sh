#!/usr/bin/env bash
# Latency a cache miss adds over going to the origin directly: sequential GETs of a 10 KB
# object, each with a query string never asked before (the behavior keys on it, so every
# request through the edge is a true miss with a full 200 from the origin), one curl process
# per batch reusing one keep-alive connection, timed with curl's %{time_total}.
#
#   REQUESTS=1000 ROUNDS=3 bench/edge-miss-latency.sh
#
# Rounds alternate direct and through-the-edge batches; the added latency is the difference of
# the pooled p50 and p99. Nothing is pinned: the edge, the origin and curl share both cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/edge-lib.sh"
trap edge_cleanup EXIT
trap 'exit 130' INT TERM

REQUESTS=${REQUESTS:-1000}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-500}
OBJECT=/bench/10k.html

ensure_packages curl:curl /usr/bin/aws:awscli
[ "${SKIP_QUIET_WAIT:-}" ] || wait_for_quiet
machine_line

write_config '[{ "pathPattern": "*", "target": "site", "cachePolicy": { "defaultTtl": 600, "queryStringInKey": true } }]'
make_site "$BENCH_TMP/site"
start_origin primary
fill_bucket primary "$P_S3" "$BENCH_TMP/site"
start_origin standby
fill_bucket standby "$S_S3" "$BENCH_TMP/site"
start_edge

# batch BASE_URL FIRST COUNT OUT: COUNT sequential GETs of OBJECT?k=FIRST.., seconds per line.
batch() {
  local base=$1 first=$2 count=$3 out=$4 i
  local -a args=()
  for ((i = first; i < first + count; i++)); do args+=(-o /dev/null "$base$OBJECT?k=$i"); done
  curl -s --fail-early -f -w '%{http_code} %{time_total}\n' "${args[@]}" >"$out.raw"
  awk '$1 != 200 { bad++ } END { exit bad > 0 }' "$out.raw" || die "non-200 answers in $out.raw"
  awk '{ print $2 }' "$out.raw" >"$out"
}

pct() { # pct QUANTILE FILE (seconds in) -> ms
  sort -n "$2" | awk -v q="$1" '{ v[NR] = $1 } END { i = int(q * NR + 0.999999); if (i < 1) i = 1; printf "%.3f", v[i] * 1000 }'
}

ORIGIN="http://127.0.0.1:$P_WEB"
EDGE="http://127.0.0.1:$EDGE_HTTP"
next=1
log "warm-up: $WARMUP requests each way"
batch "$ORIGIN" "$next" "$WARMUP" "$BENCH_TMP/warm-origin"
batch "$EDGE" "$next" "$WARMUP" "$BENCH_TMP/warm-edge"
next=$((next + WARMUP))

# The edge's misses really were misses: none of them may be X-Cache: Hit.
curl -s -D - -o /dev/null "$EDGE$OBJECT?k=check-$$" | grep -qi '^x-cache: miss' || die "a new key was not a miss"

: >"$BENCH_TMP/all-origin"
: >"$BENCH_TMP/all-edge"
results="$BENCH_TMP/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for side in origin edge; do
    base=$ORIGIN
    [ $side = edge ] && base=$EDGE
    load=$(load1)
    batch "$base" "$next" "$REQUESTS" "$BENCH_TMP/$side-$round"
    cat "$BENCH_TMP/$side-$round" >>"$BENCH_TMP/all-$side"
    printf '%s\t%s\t%s\t%s\t%s\n' "$side" "$round" "$(pct 0.5 "$BENCH_TMP/$side-$round")" "$(pct 0.99 "$BENCH_TMP/$side-$round")" "$load" | tee -a "$results" >&2
  done
  next=$((next + REQUESTS))
done

echo
echo "Miss latency, 10 KB object, $REQUESTS sequential GETs per batch (distinct keys), curl %{time_total}"
printf '%-7s %5s %9s %9s %7s\n' side round 'p50 ms' 'p99 ms' load1
awk -F'\t' '{ printf "%-7s %5s %9.3f %9.3f %7s\n", $1, $2, $3, $4, $5 }' "$results"
o50=$(pct 0.5 "$BENCH_TMP/all-origin") o99=$(pct 0.99 "$BENCH_TMP/all-origin")
e50=$(pct 0.5 "$BENCH_TMP/all-edge") e99=$(pct 0.99 "$BENCH_TMP/all-edge")
echo
printf 'pooled, %d requests each: origin direct p50 %.3f ms p99 %.3f ms; through the edge (miss) p50 %.3f ms p99 %.3f ms\n' \
  $((REQUESTS * ROUNDS)) "$o50" "$o99" "$e50" "$e99"
awk -v a="$e50" -v b="$o50" -v c="$e99" -v d="$o99" 'BEGIN { printf "added by a miss: p50 %+.3f ms, p99 %+.3f ms\n", a - b, c - d }'
