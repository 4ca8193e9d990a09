#!/usr/bin/env bash
# The one test command: installs what the tests use, builds, checks formatting, runs every
# test, and ends with a line "N passed, N failed". .ci/run runs exactly this.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Real clients the functional tests drive, from Debian's packages (prometheus: its promtool checks every /metrics;
# pebble: the ACME test server the ACME client is tested against).
packages=(awscli rclone s3cmd curl dnsutils chromium prometheus pebble)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "could not install ${missing[*]}"; exit 1; }
fi

echo "== build"
dotnet build Tandem.slnx -c Release --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

echo "== format"
if ! dotnet format Tandem.slnx --verify-no-changes --no-restore -v quiet; then
  echo "formatting differs: run 'dotnet format Tandem.slnx'"
  echo "0 passed, 1 failed"
  exit 1
fi

# The end-to-end test runs ./tandem as a user does; build it here (the self-contained
# ReadyToRun publish takes a minute or two) so no test waits on it.
echo "== ./tandem (the published CLI)"
./tandem --help >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

echo "== test"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
status=0
for project in tests/Tandem.Tests tests/Tandem.FunctionalTests; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=normal" 2>&1 | tee "$results/$name.log" | grep -E '^\s+(Failed|Skipped) |^(Passed|Failed)!|exited with error|^Error|Test Run Aborted' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

# Sum the counters of every run from its TRX file.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed)))
  skipped=$((skipped + $(get notExecuted)))
done
# Each failure again at the end, whole (message, stack, output), where a log's tail shows it.
for log in "$results"/*.log; do
  [ -f "$log" ] || continue
  awk '/^  (Passed|Skipped) |^(Passed|Failed)!|^Test Run|^Total tests/ { inside = 0 }
       /^  Failed / { inside = 1; lines = 0; print "" }
       inside && lines < 60 { print; lines++ }' "$log"
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # no results at all is a failure, not a pass
fi
[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
