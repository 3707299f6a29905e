#!/usr/bin/env bash
# The load tools of issues 12, 13 and 14 (dev.embed.bench.load.LoadMain in the benchmarks jar):
#   bench/load.sh <subcommand> [--option value ...]      (bench/load.sh help lists them)
# Each subcommand starts the demo server(s) it needs as separate processes (this tree's
# embed-demo-war/target/embed-demo.jar unless --demo-jar or --url is given), and PostgreSQL when a
# jdbc store is asked for, loads them over loopback only, stops them, and prints a table.
#
# PostgreSQL refuses to run as root: run as root, the script re-runs itself as the unprivileged
# user BENCH_USER (default builder), who must own the tree (as with bmvn). Then it builds what is
# missing or stale (BENCH_MVN, default mvn; -Pbench package, tests skipped). The open-file limit is
# raised to the hard limit (10,000 event streams need 10,000 sockets on each side).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO_JAR=$ROOT/embed-demo-war/target/embed-demo.jar
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
MVN=${BENCH_MVN:-mvn}
die() { echo "load: $*" >&2; exit 1; }

if [[ $(id -u) == 0 && -z ${BENCH_AS_ROOT:-} ]]; then
    user=${BENCH_USER:-builder}
    id "$user" >/dev/null 2>&1 || die "running as root: create the unprivileged user $user (useradd -m $user) or set BENCH_USER"
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    exec runuser -u "$user" -- env BENCH_JAR="$BENCH_JAR" BENCH_MVN=mvn "$0" "$@"
fi

stale() { # $1 jar: missing, or older than a pom or a main source of the build
    [[ ! -f $1 ]] || [[ -n $(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$1" -type f -print -quit \
        2>/dev/null) ]]
}
if [[ ${1:-} != help && ${1:-} != --help && $# -gt 0 && -z ${BENCH_NO_BUILD:-} ]]; then
    if stale "$DEMO_JAR" || stale "$BENCH_JAR"; then
        echo "load: building ($MVN -B -o -Pbench package, tests skipped)"
        (cd "$ROOT" && $MVN -B -q -o -Pbench package -DskipTests -DskipITs) || die "the build failed"
    fi
fi
[[ -f $BENCH_JAR ]] || die "no $BENCH_JAR: build with mvn -B -o -Pbench package -DskipTests"

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

subcommand=${1:-help}
shift || true
args=(--demo-jar "$DEMO_JAR")
exec java ${BENCH_CLIENT_OPTS:--Xms512m -Xmx2g} -cp "$BENCH_JAR" dev.embed.bench.load.LoadMain "$subcommand" "${args[@]}" "$@"
