#!/usr/bin/env bash
# Runs every load tool of bench/load.sh one after the other with its defaults (the real
# measurements, for a quiet machine), each into its own log, going on when one fails (e.g. an
# endpoint or the jdbc wiring is not there yet), then prints every tool's result table and which
# tools failed. About 35 minutes with the defaults (see bench/README.md).
#
#   bench/load-suite.sh [out-dir]            # default: a new /tmp/embed-load-suite.* directory
#   LOAD_SUITE="mint-rate flood" bench/load-suite.sh   # a subset
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$(mktemp -d "${TMPDIR:-/tmp}/embed-load-suite.XXXXXX")}
mkdir -p "$OUT"
chmod 755 "$OUT"
SUITE=${LOAD_SUITE:-"mint-rate mint-saturate mint-rate:--stores:jdbc embed-get history burst burst:--events streams streams:--shared flood wakeup wakeup:--events messages-2n"}
failed=()
echo "load-suite: logs in $OUT; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for entry in $SUITE; do
    IFS=: read -r -a words <<< "$entry"
    name=$(IFS=_; echo "${words[*]}" | tr -d '-')
    log=$OUT/$name.log
    echo "load-suite: $(date -u +%H:%M:%S) ${words[*]} -> $log"
    if ! "$ROOT/bench/load.sh" "${words[@]}" > "$log" 2>&1; then
        failed+=("${words[*]}")
        why=$(grep -m1 'Exception' "$log" || tail -1 "$log")
        echo "load-suite: ${words[*]} FAILED: ${why:0:400}"
    fi
    chmod 644 "$log" 2>/dev/null || true
done
echo
for entry in $SUITE; do
    IFS=: read -r -a words <<< "$entry"
    name=$(IFS=_; echo "${words[*]}" | tr -d '-')
    echo "#################### ${words[*]}"
    sed -n '/^== /,$p' "$OUT/$name.log" | grep -v '^load: .* took '
done
echo
echo "load-suite: done; failed: ${failed[*]:-none}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
