#!/usr/bin/env bash
# `aws s3 sync` of 2,000 small files (1–20 KB, in nested folders) into a fresh Tandem origin:
# the first upload, then the re-sync that finds nothing to do. The origin runs on core 0 with
# its defaults (fsync on), AWS CLI v2 on core 1 with its defaults (10 concurrent requests).
#
#   bench/origin-sync.sh                # 2,000 files, about 20 MiB
#   FILES=500 bench/origin-sync.sh
#
# Prints the load average, the wall time of each sync and how many files each transferred;
# fails if the re-sync transferred any. Installs awscli and util-linux when missing.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

files="${FILES:-2000}"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"

ensure_tools /usr/bin/aws:awscli taskset:util-linux

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench.XXXXXX")
origin_pid=""
cleanup() {
  stop_pid "$origin_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "load average before: $(load_average); cores busy with other work: $(cpu_busy 3)%"

# A site-like tree: 10 sections of 10 folders, sizes spread evenly over 1–20 KB. RANDOM is
# seeded so every run uploads the same sizes.
site="$tmp/site"
RANDOM=2024
total=0
for i in $(seq 0 $((files - 1))); do
  dir="$site/section-$((i % 10))/folder-$((i / 10 % 10))"
  [ -d "$dir" ] || mkdir -p "$dir"
  size=$((1024 + (RANDOM * 32768 + RANDOM) % (19 * 1024 + 1)))
  head -c "$size" /dev/urandom >"$dir/page-$i.html"
  total=$((total + size))
done
echo "generated $files files, $((total / 1024)) KiB, in $(find "$site" -mindepth 1 -type d | wc -l) folders"

build_tandem
use_origin_credentials
start_origin "$server_cpu" "$tmp/data" "$tmp/origin.log"
s3 s3api create-bucket --bucket site >/dev/null

# timed_sync NAME: runs the sync on the client core; sets seconds and transferred.
timed_sync() {
  local start end
  start=$(date +%s.%N)
  taskset -c "$client_cpu" "$aws_cli" --endpoint-url "$s3_url" s3 sync --no-progress "$site" s3://site >"$tmp/$1.txt"
  end=$(date +%s.%N)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  transferred=$(grep -c '^upload: ' "$tmp/$1.txt" || true)
}

timed_sync first
first_seconds=$seconds first_transferred=$transferred
stored=$(s3 s3 ls --recursive s3://site | wc -l)
timed_sync again
again_seconds=$seconds again_transferred=$transferred

echo "load average after: $(load_average)"
echo
echo "aws s3 sync of $files files ($((total / 1024)) KiB) into a Tandem origin, origin on core $server_cpu, aws on core $client_cpu"
printf '| %-18s | %8s | %11s | %8s |\n' sync seconds transferred files/s
printf '|%s|%s|%s|%s|\n' "--------------------" "----------" "-------------" "----------"
printf '| %-18s | %8s | %11s | %8.0f |\n' "first upload" "$first_seconds" "$first_transferred" "$(awk -v n="$first_transferred" -v s="$first_seconds" 'BEGIN { print n / s }')"
printf '| %-18s | %8s | %11s | %8s |\n' "no-op re-sync" "$again_seconds" "$again_transferred" "-"

if [ "$first_transferred" -ne "$files" ] || [ "$stored" -ne "$files" ]; then
  echo "bench: the first sync uploaded $first_transferred files and the bucket lists $stored; expected $files" >&2
  exit 1
fi
if [ "$again_transferred" -ne 0 ]; then
  echo "bench: the re-sync transferred $again_transferred files; a no-op sync must transfer none" >&2
  exit 1
fi
