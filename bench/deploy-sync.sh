#!/usr/bin/env bash
# Deploying a 10,000-file site (about 200 MB, mixed sizes) to two Tandem origins, the way the
# reference deploy script does it and the way `tandem deploy` does it, in one run:
#
#   tandem deploy                 both origins in parallel, one release, content hashes
#   aws s3 sync --delete          primary, then standby (AWS CLI v2 defaults)
#   rclone sync --checksum        primary, then standby (--fast-list, otherwise defaults)
#
# each timed for the first deploy into empty buckets, a no-op re-deploy, and a re-deploy after
# one file changed (same size, new bytes). Each tool has its own bucket on the same two origins.
#
#   bench/deploy-sync.sh                    # 10,000 files, ~200 MB
#   FILES=2000 bench/deploy-sync.sh         # smaller, same mix
#
# Aim (issue 4): no-op re-deploy under 1 s and >= 10x faster than aws s3 sync's; first deploy
# >= 2x faster. The origins run with fsync off (as in the edge benches), on core 0; the tools on core 1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/edge-lib.sh"
trap edge_cleanup EXIT
trap 'exit 130' INT TERM

FILES=${FILES:-10000}
ORIGIN_CPU=${ORIGIN_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

ensure_packages /usr/bin/aws:awscli rclone:rclone taskset:util-linux python3:python3-minimal
[ "${SKIP_QUIET_WAIT:-}" ] || wait_for_quiet
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TANDEM" --help >/dev/null

# The site: 90% text pages and styles (1-9 KB), 9% images (20-180 KB), 1% large files
# (300 KB-1 MB), in nested folders; seeded, so every run has the same sizes.
python3 - "$BENCH_TMP/site" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(2026)
text = b"".join(b"%05d The quick brown fox jumps over the lazy dog, again and again.\n" % i for i in range(20000))
total = 0
for i in range(n):
    kind = rng.random()
    folder = os.path.join(root, "section-%d" % (i % 20), "part-%d" % (i // 20 % 25))
    os.makedirs(folder, exist_ok=True)
    if kind < 0.90:
        size, ext = rng.randint(1024, 9 * 1024), rng.choice([".html", ".css", ".js"])
        start = rng.randint(0, len(text) - size)
        body = text[start:start + size]
    elif kind < 0.99:
        size, ext = rng.randint(20 * 1024, 180 * 1024), ".jpg"
        body = rng.randbytes(size)
    else:
        size, ext = rng.randint(300 * 1024, 1024 * 1024), ".bin"
        body = rng.randbytes(size)
    with open(os.path.join(folder, "file-%05d%s" % (i, ext)), "wb") as f:
        f.write(body)
    total += size
for name, body in (("index.html", b"<!doctype html><title>bench</title>\n"), ("404.html", b"<!doctype html><title>404</title>\n")):
    with open(os.path.join(root, name), "wb") as f:
        f.write(body)
print("generated %d files, %.0f MB" % (n + 2, total / 1e6), file=sys.stderr)
PY
SITE_FILES=$(find "$BENCH_TMP/site" -type f | wc -l)
SITE_MB=$(du -sm "$BENCH_TMP/site" | cut -f1)

P_S3=$(free_port) P_WEB=$(free_port) S_S3=$(free_port) S_WEB=$(free_port)
"$TANDEM" keygen --file "$BENCH_TMP/credentials" --profile bench >/dev/null
cat >"$BENCH_TMP/tandem.json" <<EOF
{
  "site": { "name": "bench", "root": "site", "indexDocument": "index.html", "errorDocument": "404.html" },
  "origins": {
    "primary": {
      "region": "a", "bucket": "tandem-site",
      "s3Endpoint": "http://127.0.0.1:$P_S3", "websiteEndpoint": "http://127.0.0.1:$P_WEB",
      "credentials": { "file": "credentials", "profile": "bench" },
      "server": { "dataDir": "primary", "s3Listen": "127.0.0.1:$P_S3", "websiteListen": "127.0.0.1:$P_WEB", "fsync": false }
    },
    "standby": {
      "region": "b", "bucket": "tandem-site",
      "s3Endpoint": "http://127.0.0.1:$S_S3", "websiteEndpoint": "http://127.0.0.1:$S_WEB",
      "credentials": { "file": "credentials", "profile": "bench" },
      "server": { "dataDir": "standby", "s3Listen": "127.0.0.1:$S_S3", "websiteListen": "127.0.0.1:$S_WEB", "fsync": false }
    }
  }
}
EOF
start_origin primary taskset -c "$ORIGIN_CPU"
start_origin standby taskset -c "$ORIGIN_CPU"

KEY_ID=$(awk -F' *= *' '/aws_access_key_id/ { print $2; exit }' "$BENCH_TMP/credentials")
SECRET=$(awk -F' *= *' '/aws_secret_access_key/ { print $2; exit }' "$BENCH_TMP/credentials")
aws_at() { # aws_at S3PORT ARGS...
  local port=$1
  shift
  env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" \
    taskset -c "$CLIENT_CPU" "$AWS" --endpoint-url "http://127.0.0.1:$port" "$@"
}
rclone_at() { # rclone_at S3PORT ARGS... (remote "o:")
  local port=$1
  shift
  env -u AWS_CA_BUNDLE RCLONE_CONFIG_O_TYPE=s3 RCLONE_CONFIG_O_PROVIDER=Other RCLONE_CONFIG_O_ENDPOINT="http://127.0.0.1:$port" \
    RCLONE_CONFIG_O_ACCESS_KEY_ID="$KEY_ID" RCLONE_CONFIG_O_SECRET_ACCESS_KEY="$SECRET" RCLONE_CONFIG_O_REGION=us-east-1 \
    RCLONE_CONFIG=/dev/null taskset -c "$CLIENT_CPU" rclone "$@"
}

# Every tool starts from an empty bucket with website hosting and public read, as the reference
# setup script makes them (`tandem setup` would deploy too, so it is not used here).
for port in "$P_S3" "$S_S3"; do
  for b in tandem-site aws-site rclone-site; do
    aws_at "$port" s3api create-bucket --bucket "$b" >/dev/null
    aws_at "$port" s3api put-bucket-website --bucket "$b" \
      --website-configuration '{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"404.html"}}'
    aws_at "$port" s3api put-bucket-policy --bucket "$b" --policy \
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::$b/*\"}]}"
  done
done

results="$BENCH_TMP/results.tsv"
timed() { # timed TOOL STEP COMMAND...: runs it, records wall seconds
  local tool=$1 step=$2 start end
  shift 2
  start=$(date +%s.%N)
  "$@" >"$BENCH_TMP/$tool-$step.out" 2>&1 || { cat "$BENCH_TMP/$tool-$step.out" >&2; die "$tool $step failed"; }
  end=$(date +%s.%N)
  printf '%s\t%s\t%.2f\n' "$tool" "$step" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" | tee -a "$results" >&2
}

tandem_deploy() { (cd "$BENCH_TMP" && taskset -c "$CLIENT_CPU" "$TANDEM" deploy --config tandem.json); }
aws_both() {
  aws_at "$P_S3" s3 sync --delete --no-progress "$BENCH_TMP/site" s3://aws-site
  aws_at "$S_S3" s3 sync --delete --no-progress "$BENCH_TMP/site" s3://aws-site
}
rclone_both() {
  rclone_at "$P_S3" sync --checksum --fast-list "$BENCH_TMP/site" o:rclone-site
  rclone_at "$S_S3" sync --checksum --fast-list "$BENCH_TMP/site" o:rclone-site
}

for tool in tandem aws rclone; do
  case $tool in
    tandem) run=tandem_deploy ;;
    aws) run=aws_both ;;
    rclone) run=rclone_both ;;
  esac
  timed "$tool" first "$run"
  timed "$tool" noop "$run"
done

# One file changes, same size, new bytes; every tool ships it.
changed=$(find "$BENCH_TMP/site" -name '*.html' -path '*section-3*' | sort | head -1)
python3 - "$changed" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0:8] = b"CHANGED!"
open(p, "wb").write(bytes(b))
PY
log "changed $changed"
for tool in tandem aws rclone; do
  case $tool in
    tandem) run=tandem_deploy ;;
    aws) run=aws_both ;;
    rclone) run=rclone_both ;;
  esac
  timed "$tool" one-change "$run"
done

# Every tool's copy on both origins holds the changed bytes.
want=$(md5sum "$changed" | cut -d' ' -f1)
rel=${changed#"$BENCH_TMP/site/"}
for port in "$P_S3" "$S_S3"; do
  for b in aws-site rclone-site; do
    got=$(aws_at "$port" s3api head-object --bucket "$b" --key "$rel" --query ETag --output text | tr -d '"')
    [ "$got" = "$want" ] || die "$b on port $port holds $got for $rel, want $want"
  done
done
# Tandem: through the primary's website endpoint, which serves the live release.
got=$(curl -sfL "http://127.0.0.1:$P_WEB/$rel" | md5sum | cut -d' ' -f1)
[ "$got" = "$want" ] || die "tandem: the primary's website endpoint serves $got for $rel, want $want"
log "all three shipped the changed file to both origins"

secs() { awk -F'\t' -v t="$1" -v s="$2" '$1 == t && $2 == s { print $3 }' "$results"; }
echo
echo "$SITE_FILES files, $SITE_MB MB, two Tandem origins (fsync off) on core $ORIGIN_CPU, clients on core $CLIENT_CPU; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-28s | %10s | %10s | %10s |\n' tool "first (s)" "no-op (s)" "one change (s)"
printf '|%s|%s|%s|%s|\n' "------------------------------" "------------" "------------" "----------------"
for tool in tandem aws rclone; do
  case $tool in
    tandem) label="tandem deploy (both)" ;;
    aws) label="aws s3 sync --delete (each)" ;;
    rclone) label="rclone sync --checksum (each)" ;;
  esac
  printf '| %-28s | %10s | %10s | %14s |\n' "$label" "$(secs "$tool" first)" "$(secs "$tool" noop)" "$(secs "$tool" one-change)"
done
awk -F'\t' '{ t[$1 "/" $2] = $3 } END {
  printf "\ntandem vs aws s3 sync: first %.1fx, no-op %.1fx, one change %.1fx faster\n", t["aws/first"] / t["tandem/first"], t["aws/noop"] / t["tandem/noop"], t["aws/one-change"] / t["tandem/one-change"]
  printf "tandem vs rclone sync: first %.1fx, no-op %.1fx, one change %.1fx faster\n", t["rclone/first"] / t["tandem/first"], t["rclone/noop"] / t["tandem/noop"], t["rclone/one-change"] / t["tandem/one-change"]
  printf "aim: no-op under 1 s (%s), >= 10x aws no-op (%s), first >= 2x aws (%s)\n", (t["tandem/noop"] < 1 ? "met" : "NOT met"),
    (t["aws/noop"] / t["tandem/noop"] >= 10 ? "met" : "NOT met"), (t["aws/first"] / t["tandem/first"] >= 2 ? "met" : "NOT met") }' "$results"
