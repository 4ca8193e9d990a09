# Shared by bench/edge-*.sh (sourced, not run): packages, free ports, Tandem origins and an
# edge from a temp tandem.json, nginx from a temp config, wrk parsing, cleanup.
# Everything lives under $BENCH_TMP and is removed by edge_cleanup (the scripts' EXIT trap).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TANDEM="$ROOT/tandem"
AWS=/usr/bin/aws # Debian's AWS CLI v2, not a pyenv/pip `aws` shim earlier on PATH
BENCH_TMP="$(mktemp -d /tmp/tandem-edgebench.XXXXXX)"
PIDS=()
STOPPED=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ensure_packages CMD:PKG ...: apt-get installs what is missing (update only then).
ensure_packages() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "${pair%%:*}" ] || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

edge_cleanup() {
  local pid
  for pid in "${STOPPED[@]}"; do kill -CONT "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -f "$BENCH_TMP/nginx/nginx.pid" ]; then
    kill "$(cat "$BENCH_TMP/nginx/nginx.pid")" 2>/dev/null || true
    sleep 0.2
  fi
  [ -n "${KEEP_TMP:-}" ] && log "kept $BENCH_TMP" || rm -rf "$BENCH_TMP"
}

# free_port: a TCP port nothing listens on, picked at random (fixed once written to the config).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! grep -qx "$p" "$BENCH_TMP/ports" 2>/dev/null; then
      echo "$p" >>"$BENCH_TMP/ports"
      echo "$p"
      return
    fi
  done
}

# wait_ready LOGFILE PID: waits for the "ready:" line a tandem command prints.
wait_ready() {
  local file=$1 pid=$2 i
  for i in $(seq 1 600); do
    grep -q 'ready:' "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; die "process $pid exited before it was ready"; }
    sleep 0.1
  done
  cat "$file" >&2
  die "$file: no ready line after 60 s"
}

# write_config EDGE_BEHAVIORS_JSON: tandem.json with origins primary and standby, edge "bench",
# access log off. Sets P_S3 P_WEB S_S3 S_WEB EDGE_HTTP EDGE_ADMIN.
write_config() {
  local behaviors=$1
  P_S3=$(free_port) P_WEB=$(free_port) S_S3=$(free_port) S_WEB=$(free_port) EDGE_HTTP=$(free_port) EDGE_ADMIN=$(free_port)
  "$TANDEM" keygen --file "$BENCH_TMP/credentials" --profile primary >/dev/null
  "$TANDEM" keygen --file "$BENCH_TMP/credentials" --profile standby >/dev/null
  "$TANDEM" keygen --token-file "$BENCH_TMP/admin-token" >/dev/null
  cat >"$BENCH_TMP/tandem.json" <<EOF
{
  "site": { "name": "bench", "root": "site", "indexDocument": "index.html", "errorDocument": "404.html" },
  "origins": {
    "primary": {
      "region": "a", "bucket": "site",
      "s3Endpoint": "http://127.0.0.1:$P_S3", "websiteEndpoint": "http://127.0.0.1:$P_WEB",
      "credentials": { "file": "credentials", "profile": "primary" },
      "server": { "dataDir": "primary", "s3Listen": "127.0.0.1:$P_S3", "websiteListen": "127.0.0.1:$P_WEB", "fsync": false }
    },
    "standby": {
      "region": "b", "bucket": "site",
      "s3Endpoint": "http://127.0.0.1:$S_S3", "websiteEndpoint": "http://127.0.0.1:$S_WEB",
      "credentials": { "file": "credentials", "profile": "standby" },
      "server": { "dataDir": "standby", "s3Listen": "127.0.0.1:$S_S3", "websiteListen": "127.0.0.1:$S_WEB", "fsync": false }
    }
  },
  "distribution": {
    "defaultRootObject": "index.html",
    "originGroups": { "site": { "origins": ["primary", "standby"] } },
    "behaviors": $behaviors
  },
  "edges": {
    "bench": {
      "httpListen": "127.0.0.1:$EDGE_HTTP",
      "adminListen": "127.0.0.1:$EDGE_ADMIN",
      "adminToken": { "file": "admin-token" },
      "accessLog": null
    }
  }
}
EOF
}

# start_origin NAME [taskset args...]: runs `tandem origin NAME`, sets ORIGIN_PID.
start_origin() {
  local name=$1
  shift
  (cd "$BENCH_TMP" && exec "$@" "$TANDEM" origin "$name" --config tandem.json >"$BENCH_TMP/$name.log" 2>&1) &
  ORIGIN_PID=$!
  PIDS+=("$ORIGIN_PID")
  wait_ready "$BENCH_TMP/$name.log" "$ORIGIN_PID"
}

# fill_bucket PROFILE S3PORT DIR: website bucket "site" with public read, DIR synced into it.
fill_bucket() {
  local profile=$1 port=$2 dir=$3
  local -a aws=(env -u AWS_CA_BUNDLE AWS_SHARED_CREDENTIALS_FILE="$BENCH_TMP/credentials" AWS_PROFILE="$profile"
    AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true "$AWS" --endpoint-url "http://127.0.0.1:$port")
  "${aws[@]}" s3 mb s3://site >/dev/null
  "${aws[@]}" s3api put-bucket-website --bucket site \
    --website-configuration '{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"404.html"}}'
  "${aws[@]}" s3api put-bucket-policy --bucket site --policy \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}'
  "${aws[@]}" s3 sync "$dir" s3://site --only-show-errors
}

# make_site DIR: index.html, 404.html and bench/10k.html (10240 bytes of text).
make_site() {
  local dir=$1
  mkdir -p "$dir/bench"
  echo '<!doctype html><title>bench</title><p>index</p>' >"$dir/index.html"
  echo '<!doctype html><title>404</title><p>not found</p>' >"$dir/404.html"
  awk 'BEGIN { s = "<!doctype html><title>10k</title><pre>\n"
    while (length(s) < 10240) s = s sprintf("%04d The quick brown fox jumps over the lazy dog.\n", ++i)
    printf "%s", substr(s, 1, 10240) }' >"$dir/bench/10k.html"
}

# start_edge [taskset args...]: runs `tandem edge bench`, sets EDGE_PID.
start_edge() {
  (cd "$BENCH_TMP" && exec "$@" "$TANDEM" edge bench --config tandem.json >"$BENCH_TMP/edge.log" 2>&1) &
  EDGE_PID=$!
  PIDS+=("$EDGE_PID")
  wait_ready "$BENCH_TMP/edge.log" "$EDGE_PID"
}

# start_nginx CONF_HTTP_BLOCK_BODY [taskset args...]: nginx, one worker, in $BENCH_TMP/nginx.
start_nginx() {
  local body=$1
  shift
  local d="$BENCH_TMP/nginx"
  mkdir -p "$d/cache" "$d/tmp"
  if [ "$(id -u)" = 0 ]; then
    # The worker runs as nginx's default user (www-data): let it through the temp dir, not read it.
    chmod 711 "$BENCH_TMP"
    chown -R www-data "$d/cache" "$d/tmp" 2>/dev/null || chown -R nobody "$d/cache" "$d/tmp"
  fi
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  $body
}
EOF
  /usr/sbin/nginx -t -q -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
  "$@" /usr/sbin/nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
  local i
  for i in $(seq 1 50); do [ -s "$d/nginx.pid" ] && break; sleep 0.1; done
}

stop_nginx() {
  local d="$BENCH_TMP/nginx"
  [ -f "$d/nginx.pid" ] || return 0
  local pid
  pid=$(cat "$d/nginx.pid")
  kill -QUIT "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$d/nginx.pid"
}

# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "1.20s" as milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}

# wrk_rps FILE / wrk_p QUANTILE FILE: figures from `wrk --latency` output.
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_p() { to_ms "$(awk -v q="$1%" '$1 == q { print $2; exit }' "$2")"; }
wrk_errors() { awk '/Non-2xx|Socket errors/ { print }' "$1"; }

load1() { cut -d' ' -f1 /proc/loadavg; }

# wait_for_quiet: up to QUIET_WAIT seconds (default 600) for a 1-minute load under QUIET_LOAD (1.5).
wait_for_quiet() {
  local limit=${QUIET_WAIT:-600} max=${QUIET_LOAD:-1.5} waited=0
  while awk -v l="$(load1)" -v m="$max" 'BEGIN { exit !(l >= m) }'; do
    [ "$waited" -ge "$limit" ] && { log "load $(load1) still >= $max after ${limit}s; measuring anyway"; return; }
    log "load $(load1) >= $max; waiting (${waited}s of ${limit}s)"
    sleep 15
    waited=$((waited + 15))
  done
}

machine_line() {
  echo "machine: $(nproc) cpus, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r); $(date -u +%FT%TZ); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
}
