#!/usr/bin/env bash
# Side-by-side benchmark of two revisions in ONE run (issue 11: "the JMH and wrk figures do not
# regress"). Builds both revisions in git worktrees under a temporary directory, then alternates,
# round by round,
#   (a) the JMH token benchmarks of each revision (same JMH options for both), and
#   (b) the wrk phases of bench/run.sh (a t b c d) against each revision's demo launcher, one server
#       at a time, same port, same settings (this tree's bench/run.sh, each revision's own jars),
# swapping which revision goes first every round (before,after / after,before / ...), and prints
# per benchmark the median of the rounds for each revision, their spread, and after/before.
#
#   bench/compare-revisions.sh main restructure
#   CMP_ROUNDS=5 bench/compare-revisions.sh HEAD~3 HEAD
#   CMP_SKIP_WRK=1 bench/compare-revisions.sh main bench      # JMH only
#
# Unattended: every step is bounded (JMH iterations, wrk durations, CMP_ROUNDS <= 10), servers are
# stopped by run.sh, the worktrees are removed at the end (also on failure or Ctrl-C) unless
# CMP_KEEP is set. Logs of every step stay in CMP_OUT (default: a new /tmp/embed-compare-* dir).
# See bench/README.md for the settings and how long it takes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${CMP_ROUNDS:-3}
JMH_INCLUDE=${CMP_JMH_INCLUDE:-TokenBenchmarks}
# Fewer iterations than the full suite (2 forks x 5 x 1 s), one fork per revision per round: the
# rounds give the medians. Each round is a fresh JVM, so fork-to-fork variation shows in the spread.
JMH_OPTS=${CMP_JMH_OPTS:--f 1 -wi 3 -w 1s -i 4 -r 1s}
WRK_DURATION=${CMP_WRK_DURATION:-10}
WRK_WARMUP=${CMP_WRK_WARMUP:-5}
MVN=${BENCH_MVN:-mvn}
SKIP_JMH=${CMP_SKIP_JMH:-}
SKIP_WRK=${CMP_SKIP_WRK:-}

die() { echo "compare: $*" >&2; exit 1; }
[[ $# == 2 ]] || die "usage: bench/compare-revisions.sh <rev-before> <rev-after>"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 && $ROUNDS -le 10 ]] || die "CMP_ROUNDS must be 1-10"
[[ $WRK_DURATION =~ ^[0-9]+$ && $WRK_DURATION -ge 1 && $WRK_DURATION -le 60 ]] || die "CMP_WRK_DURATION must be 1-60"
[[ $WRK_WARMUP =~ ^[0-9]+$ && $WRK_WARMUP -ge 1 && $WRK_WARMUP -le 60 ]] || die "CMP_WRK_WARMUP must be 1-60"
[[ -n $JMH_INCLUDE && ! $JMH_INCLUDE =~ [[:space:]] ]] || die "CMP_JMH_INCLUDE must be one JMH regex without spaces"
command -v git >/dev/null || die "git is missing"
command -v java >/dev/null || die "java is missing"

BEFORE=$(git -C "$ROOT" rev-parse --verify --quiet "$1^{commit}") || die "not a revision: $1"
AFTER=$(git -C "$ROOT" rev-parse --verify --quiet "$2^{commit}") || die "not a revision: $2"
NAME_BEFORE=$1
NAME_AFTER=$2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/embed-compare.XXXXXX")
# Readable by an unprivileged build user (BENCH_MVN=bmvn runs Maven as "builder").
chmod 755 "$TMP"
OUT=${CMP_OUT:-$TMP/out}
mkdir -p "$OUT"
WORKTREES=()
cleanup() {
    local status=$?
    for wt in "${WORKTREES[@]}"; do
        git -C "$ROOT" worktree remove --force "$wt" >/dev/null 2>&1 || true
    done
    git -C "$ROOT" worktree prune >/dev/null 2>&1 || true
    if [[ -z ${CMP_KEEP:-} ]]; then
        if [[ $OUT == "$TMP/out" ]]; then
            # the logs and results stay; the worktrees' leftovers go
            find "$TMP" -mindepth 1 -maxdepth 1 ! -path "$OUT" -exec rm -rf {} + 2>/dev/null || true
            echo "compare: logs and results kept in $OUT"
        else
            rm -rf "$TMP"
        fi
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "compare: before = $NAME_BEFORE (${BEFORE:0:12}), after = $NAME_AFTER (${AFTER:0:12})"
echo "compare: $ROUNDS rounds; JMH '$JMH_INCLUDE' $JMH_OPTS; wrk ${WRK_DURATION} s per phase (warm-up ${WRK_WARMUP} s)"
echo "compare: logs and raw results in $OUT"

# ---------------------------------------------------------------- build both revisions
declare -A WT
for side in before after; do
    commit=$BEFORE
    [[ $side == after ]] && commit=$AFTER
    WT[$side]=$TMP/$side
    git -C "$ROOT" worktree add --detach "${WT[$side]}" "$commit" >/dev/null 2>&1 \
        || die "cannot create a worktree of $commit in ${WT[$side]}"
    WORKTREES+=("${WT[$side]}")
    echo "compare: building $side (${commit:0:12}): $MVN -B -o -Pbench package -DskipTests (log: $OUT/build-$side.log)"
    started=$SECONDS
    (cd "${WT[$side]}" && $MVN -B -o -Pbench package -DskipTests -DskipITs) > "$OUT/build-$side.log" 2>&1 \
        || { tail -30 "$OUT/build-$side.log" >&2; die "the build of $side failed"; }
    [[ -f ${WT[$side]}/embed-demo-war/target/embed-demo.jar && -f ${WT[$side]}/benchmarks/target/benchmarks.jar ]] \
        || die "the build of $side made no embed-demo.jar or benchmarks.jar"
    echo "compare: built $side in $((SECONDS - started)) s"
done

# ---------------------------------------------------------------- rounds
JMH_CSV=$OUT/jmh.tsv   # side round benchmark score unit
WRK_TSV=$OUT/wrk.tsv   # side round phase rps p50
: > "$JMH_CSV"
: > "$WRK_TSV"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
order_of() { (( $1 % 2 )) && echo "before after" || echo "after before"; }

run_jmh() { # $1 side, $2 round
    local csv=$OUT/jmh-$1-$2.csv
    # shellcheck disable=SC2086
    java -jar "${WT[$1]}/benchmarks/target/benchmarks.jar" "$JMH_INCLUDE" $JMH_OPTS -rf csv -rff "$csv" \
        > "$OUT/jmh-$1-$2.log" 2>&1 || { tail -30 "$OUT/jmh-$1-$2.log" >&2; die "JMH of $1 failed in round $2"; }
    # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"[,"Param: x",...]
    awk -F',' -v side="$1" -v round="$2" 'NR > 1 {
        name = $1; gsub(/"/, "", name); sub(/.*\./, "", name)
        for (i = 8; i <= NF; i++) { p = $i; gsub(/"/, "", p); name = name ":" p }
        unit = $7; gsub(/"/, "", unit)
        printf "%s\t%s\t%s\t%s\t%s\n", side, round, name, $5, unit }' "$csv" >> "$JMH_CSV"
}

run_wrk() { # $1 side, $2 round
    BENCH_DEMO_JAR="${WT[$1]}/embed-demo-war/target/embed-demo.jar" BENCH_JAR="${WT[$1]}/benchmarks/target/benchmarks.jar" \
        BENCH_ROUNDS=1 BENCH_DURATION="$WRK_DURATION" BENCH_WARMUP="$WRK_WARMUP" BENCH_LABEL="$1" \
        BENCH_RESULTS="$OUT/wrk-$1-$2.tsv" "$ROOT/bench/run.sh" > "$OUT/wrk-$1-$2.log" 2>&1 \
        || { tail -30 "$OUT/wrk-$1-$2.log" >&2; die "bench/run.sh of $1 failed in round $2"; }
    awk -F'\t' -v round="$2" '{ printf "%s\t%s\t%s\t%s\t%s\n", $1, round, $3, $4, $5 }' "$OUT/wrk-$1-$2.tsv" >> "$WRK_TSV"
}

for round in $(seq 1 "$ROUNDS"); do
    order=$(order_of "$round")
    if [[ -z $SKIP_JMH ]]; then
        for side in $order; do
            echo "compare: round $round/$ROUNDS: JMH of $side ($(cut -d' ' -f1 /proc/loadavg) load)"
            run_jmh "$side" "$round"
        done
    fi
    if [[ -z $SKIP_WRK ]]; then
        for side in $order; do
            echo "compare: round $round/$ROUNDS: wrk of $side ($(cut -d' ' -f1 /proc/loadavg) load)"
            run_wrk "$side" "$round"
        done
    fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- summary
# Per benchmark and side: median, min, max over the rounds; then after/before of the medians.
summarize() { # stdin: side round name value; $1 "lower" or "higher" is better
    awk -F'\t' -v better="$1" '
        { key = $3; v[key, $1, ++n[key, $1]] = $4 + 0; if (!(key in seen)) { seen[key] = ++keys; order[keys] = key } }
        function med(key, side,    i, j, t, c, a) {
            c = n[key, side]; if (c == 0) return "";
            for (i = 1; i <= c; i++) a[i] = v[key, side, i]
            for (i = 2; i <= c; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            lo[key, side] = a[1]; hi[key, side] = a[c]
            return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2 }
        END {
            for (k = 1; k <= keys; k++) {
                key = order[k]; b = med(key, "before"); a = med(key, "after")
                if (b == "" || a == "") { printf "%-34s %s\n", key, "(only in one revision)"; continue }
                r = a / b
                worse = (better == "lower") ? (r > 1) : (r < 1)
                pct = (better == "lower") ? (r - 1) * 100 : (1 - r) * 100
                printf "%-34s %12.1f %21s %12.1f %21s %8.3f  %s\n", key, b, sprintf("[%.1f-%.1f]", lo[key, "before"], hi[key, "before"]),
                    a, sprintf("[%.1f-%.1f]", lo[key, "after"], hi[key, "after"]), r,
                    (r == 1 ? "same" : sprintf("%s %.1f %%", worse ? "worse" : "better", pct < 0 ? -pct : pct))
            } }'
}

echo
echo "== embed: $NAME_BEFORE (${BEFORE:0:12}) vs $NAME_AFTER (${AFTER:0:12}), medians of $ROUNDS alternating rounds =="
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average: start $LOAD_START, end $LOAD_END"
if [[ -z $SKIP_JMH ]]; then
    echo
    echo "JMH ($JMH_INCLUDE, $JMH_OPTS), ns/op: lower is better; after/before > 1 is slower"
    printf '%-34s %12s %21s %12s %21s %8s\n' benchmark before "[min-max]" after "[min-max]" "a/b"
    summarize lower < "$JMH_CSV"
fi
if [[ -z $SKIP_WRK ]]; then
    echo
    echo "wrk (bench/run.sh phases, ${WRK_DURATION} s each), req/s: higher is better; after/before < 1 is slower"
    printf '%-34s %12s %21s %12s %21s %8s\n' phase before "[min-max]" after "[min-max]" "a/b"
    cut -f1-4 "$WRK_TSV" | summarize higher
    echo
    echo "wrk p50 latency, ms: lower is better"
    printf '%-34s %12s %21s %12s %21s %8s\n' phase before "[min-max]" after "[min-max]" "a/b"
    awk -F'\t' '{ printf "%s\t%s\t%s\t%s\n", $1, $2, $3, $5 }' "$WRK_TSV" | summarize lower
    echo
    echo "issue 7's in-run ratios (medians of the per-round ratios), before -> after:"
    awk -F'\t' '{ r[$1, $2, $3] = $4; rounds[$2] = 1 }
        function med(side, num, den,    i, c, a, t, j, x) {
            c = 0; for (x in rounds) if ((side, x, num) in r && (side, x, den) in r) a[++c] = r[side, x, num] / r[side, x, den]
            if (c == 0) return "n/a"
            for (i = 2; i <= c; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return sprintf("%.3f", (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2) }
        END {
            split("b:a t:a b:t c:a d:a", pairs, " ")
            for (p = 1; p <= 5; p++) { split(pairs[p], q, ":")
                printf "  %s/%s  %s -> %s\n", q[1], q[2], med("before", q[1], q[2]), med("after", q[1], q[2]) } }' "$WRK_TSV"
fi
echo
echo "raw results: $JMH_CSV, $WRK_TSV (one line per revision, round and benchmark)"
