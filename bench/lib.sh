# Shared by the bench/ scripts (sourced, not run): installing tools, starting a Tandem origin,
# and talking to it with AWS CLI v2. Callers set -euo pipefail and define $tmp.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian's AWS CLI v2 by full path: a pyenv or pip `aws` earlier on PATH may be v1.
aws_cli=/usr/bin/aws

# Installs the Debian packages whose commands are missing; `apt-get update` only when needed.
# Arguments are command:package pairs, such as wrk:wrk.
ensure_tools() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "${pair%%:*}" ] || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "bench: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds the CLI (Release) outside any pinning, so a build never runs on the measured core.
build_tandem() {
  "$root/tandem" --help >/dev/null
}

# Where the bench's S3 requests go; AWS_CA_BUNDLE is for https elsewhere and only gets in the way.
use_origin_credentials() {
  unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN
  AWS_ACCESS_KEY_ID="bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  AWS_SECRET_ACCESS_KEY="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  export AWS_PAGER="" AWS_MAX_ATTEMPTS=1
}

# start_origin CPUS DATA LOG: starts `tandem origin` pinned to CPUS with --bucket site on free
# loopback ports; sets origin_pid, s3_url and website_url.
start_origin() {
  local cpus="$1" data="$2" log="$3"
  taskset -c "$cpus" "$root/tandem" origin --data "$data" --s3-listen 127.0.0.1:0 --website-listen 127.0.0.1:0 \
    --bucket site >"$log" 2>&1 &
  origin_pid=$!
  local ready=""
  for _ in $(seq 1 300); do
    ready=$(grep -m1 ' ready: ' "$log" || true)
    [ -z "$ready" ] || break
    kill -0 "$origin_pid" 2>/dev/null || { cat "$log" >&2; echo "bench: the origin exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$ready" ] || { cat "$log" >&2; echo "bench: the origin did not print ready" >&2; exit 1; }
  s3_url=$(sed -n 's/.* s3 \([^ ]*\) .*/\1/p' <<<"$ready")
  website_url=$(sed -n 's/.* website \([^ ]*\) .*/\1/p' <<<"$ready")
}

# s3 ARGS...: AWS CLI v2 against the origin's S3 API.
s3() {
  "$aws_cli" --endpoint-url "$s3_url" "$@"
}

# Creates bucket "site" with website hosting and a public-read policy, as README's tour does.
create_website_bucket() {
  s3 s3api create-bucket --bucket site >/dev/null
  s3 s3api put-bucket-website --bucket site \
    --website-configuration '{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"404.html"}}'
  s3 s3api put-bucket-policy --bucket site --policy \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}'
}

# Stops a process this script started, by its id, and waits for it.
stop_pid() {
  local pid="${1:-}"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

load_average() {
  cut -d' ' -f1-3 /proc/loadavg
}

# Share of all cores busy over the next $1 seconds, in percent: what other work is using now.
# (Load average also counts tasks waiting on disk, and lags by a minute.)
cpu_busy() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep "$1"
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2]
    printf "%.0f\n", (busy + idle > 0) ? 100 * busy / (busy + idle) : 0 }'
}
