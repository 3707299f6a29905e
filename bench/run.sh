#!/usr/bin/env bash
# Issue 7's HTTP benchmark: starts the demo (embed-demo.jar) on loopback and runs wrk against
#   (a) GET /bench-baseline/chat-sessions/{id}      the same chat-session JSON, no token (baseline)
#   (t) the same baseline, carrying the token's Authorization header, which it ignores
#   (b) GET /api/v1/embed/chat-sessions/{id}         protected, one token repeated (cache hits)
#   (c) GET /api/v1/embed/chat-sessions/{id}         protected, a never-seen token per request (misses)
#   (d) POST /api/v1/spaces/demo/agents/support/embed-sessions   the flow B mint
# alternating a, t, b, c, d, a, t, b, c, d, ... within one run, then prints the medians and the ratios
# issue 7 budgets. Bounded: every wrk run has a fixed duration, the number of rounds is capped,
# and the server is stopped (by its own pid) at the end. See bench/README.md.
#
#   bench/run.sh                       # defaults below
#   BENCH_ROUNDS=5 BENCH_DURATION=15 bench/run.sh
#   BENCH_JFR=/tmp/embed-jfr bench/run.sh   # also profiles one extra round with JFR, per phase
#   BENCH_DEMO_JAR=/x/embed-demo.jar BENCH_JAR=/x/benchmarks.jar BENCH_RESULTS=/tmp/r.tsv bench/run.sh
#                                      # another build's jars (not rebuilt); results also as TSV
#                                      # (bench/compare-revisions.sh runs it like this)
#
# Secrets: a fresh signing secret and demo API key are generated per run, handed to the server and
# to wrk through the environment and files readable only by this user, and never printed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${BENCH_PORT:-18080}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
SERVER_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms2g -Xmx2g}
# Phase c enters every fresh token into the verified-token cache; a bound keeps that from turning
# the later phases into a garbage-collection benchmark (misses then also pay an eviction).
VERIFIED_CACHE_SIZE=${BENCH_VERIFIED_CACHE_SIZE:-100000}
# Phase d mints ~20,000 sessions a second for one tenant, and each lives its 15 minutes: since
# issue 13 the memory store refuses (429) past its limits instead of evicting, so the bench server
# gets limits no run reaches (a run mints at most ~1.5 M). The memory budget stays under the heap.
BENCH_MAX_SESSIONS=${BENCH_MAX_SESSIONS:-4000000}
BENCH_MEMORY_MAX_BYTES=${BENCH_MEMORY_MAX_BYTES:-1400000000}
JFR_DIR=${BENCH_JFR:-}
# The jars under test: this tree's by default (built when stale); another build's when given, then
# never rebuilt. The benchmarks jar must be the same build as the demo (TokenFile signs phase c's
# tokens the way that build's server verifies them).
DEMO_JAR=${BENCH_DEMO_JAR:-$ROOT/embed-demo-war/target/embed-demo.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
# BENCH_RESULTS: a file to which every measured run is appended as one TSV line:
#   label  round  phase  req/s  p50-ms
RESULTS=${BENCH_RESULTS:-}
LABEL=${BENCH_LABEL:-run}
MVN=${BENCH_MVN:-mvn}
BASE=http://127.0.0.1:$PORT

die() { echo "bench: $*" >&2; exit 1; }
[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 60 ]] || die "BENCH_DURATION must be 1-60 seconds"
[[ $WARMUP =~ ^[0-9]+$ && $WARMUP -ge 1 && $WARMUP -le 60 ]] || die "BENCH_WARMUP must be 1-60 seconds"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 && $ROUNDS -le 10 ]] || die "BENCH_ROUNDS must be 1-10"
[[ $THREADS =~ ^[0-9]+$ && $THREADS -ge 1 && $THREADS -le 8 ]] || die "BENCH_THREADS must be 1-8"
[[ $CONNECTIONS =~ ^[0-9]+$ && $CONNECTIONS -ge $THREADS && $CONNECTIONS -le 256 ]] || die "BENCH_CONNECTIONS must be $THREADS-256"

# ---------------------------------------------------------------- tools and build
if ! command -v wrk >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "bench: installing wrk (Debian package)"
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    else
        die "wrk is missing: sudo apt-get install wrk"
    fi
fi
command -v curl >/dev/null || die "curl is missing"
command -v java >/dev/null || die "java is missing"

stale() { # $1 jar: missing, or older than a pom or a main source of the build
    [[ ! -f $1 ]] || [[ -n $(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$1" -type f -print -quit \
        2>/dev/null) ]]
}
if [[ -n ${BENCH_DEMO_JAR:-}${BENCH_JAR:-} ]]; then
    [[ -f $DEMO_JAR && -f $BENCH_JAR ]] || die "BENCH_DEMO_JAR and BENCH_JAR must both name existing jars"
elif [[ -n ${BENCH_REBUILD:-} ]] || stale "$DEMO_JAR" || stale "$BENCH_JAR"; then
    echo "bench: building ($MVN -Pbench package, tests skipped)"
    (cd "$ROOT" && { $MVN -B -q -o -Pbench package -DskipTests -DskipITs || $MVN -B -q -Pbench package -DskipTests -DskipITs; })
fi
[[ -z $RESULTS || $LABEL =~ ^[A-Za-z0-9._-]+$ ]] || die "BENCH_LABEL must be [A-Za-z0-9._-]+"

# ---------------------------------------------------------------- secrets, server
WORK=$(mktemp -d "${TMPDIR:-/tmp}/embed-bench.XXXXXX")
chmod 700 "$WORK"
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

umask 077
SECRET=$(head -c 32 /dev/urandom | base64 -w0)
API_KEY="sk_$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
printf '%s\n' "$API_KEY" > "$WORK/key"
printf 'Authorization: Bearer %s\n' "$API_KEY" > "$WORK/key.header"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is in use; set BENCH_PORT"
fi

echo "bench: machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
     "$(java -version 2>&1 | head -1)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: load average at start: $LOAD_START"

# The launcher prints the demo key; the sed filter removes it before anything reaches the log.
# shellcheck disable=SC2086
(cd "$WORK" && exec env EMBED_PORT="$PORT" EMBED_DEMO_API_KEY="$API_KEY" EMBED_SIGNING_SECRET="$SECRET" \
    EMBED_DEMO_BENCH=true EMBED_STORE="${BENCH_STORE:-memory}" EMBED_PUBLIC_BASE_URL="$BASE" EMBED_TOKENS_VERIFIED_CACHE_SIZE="$VERIFIED_CACHE_SIZE" \
    EMBED_SESSIONS_MAXIMUM_SIZE="$BENCH_MAX_SESSIONS" EMBED_MEMORY_MAX_SESSIONS_PER_TENANT="$BENCH_MAX_SESSIONS" \
    EMBED_MEMORY_MAX_BYTES="$BENCH_MEMORY_MAX_BYTES" EMBED_MEMORY_TENANT_SHARE_PERCENT=100 \
    java $SERVER_JAVA_OPTS -jar "$DEMO_JAR") \
    > >(sed -u "s/$API_KEY/[redacted]/g" > "$WORK/server.log") 2>&1 &
SERVER_PID=$!
for i in $(seq 1 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$WORK/server.log" >&2; die "the demo server exited"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/.well-known/jwks.json" || true) == 200 ]] && break
    [[ $i == 120 ]] && die "the demo server did not answer within 60 s"
    sleep 0.5
done
echo "bench: demo server up on $BASE (pid $SERVER_PID, $SERVER_JAVA_OPTS, verified-token cache $VERIFIED_CACHE_SIZE, $DEMO_JAR)"

# ---------------------------------------------------------------- fixtures: one session with a reply
MINTED=$(curl -sS -X POST "$BASE/api/v1/spaces/demo/agents/support/embed-sessions" -H @"$WORK/key.header" \
    -H 'Content-Type: application/json' -d '{"externalUserId":"bench-user","displayName":"Bench"}')
SID=$(printf '%s' "$MINTED" | sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p')
printf '%s' "$MINTED" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p' > "$WORK/token"
unset MINTED
[[ -n $SID && -s $WORK/token ]] || { tail -20 "$WORK/server.log" >&2; die "the mint answered no token"; }
printf 'Authorization: Bearer %s\n' "$(cat "$WORK/token")" > "$WORK/token.header"
PROTECTED=/api/v1/embed/chat-sessions/$SID
BASELINE=/bench-baseline/chat-sessions/$SID
curl -sS -o /dev/null -X POST "$BASE$PROTECTED/messages" -H @"$WORK/token.header" \
    -H 'Content-Type: application/json' -d '{"message":"hello from the benchmark"}'
for _ in $(seq 1 50); do
    curl -sS "$BASE$PROTECTED" -H @"$WORK/token.header" > "$WORK/b.json"
    grep -q '"role":"assistant"' "$WORK/b.json" && break
    sleep 0.2
done
curl -sS -D "$WORK/a.headers" "$BASE$BASELINE" > "$WORK/a.json"
curl -sS -D "$WORK/b.headers" "$BASE$PROTECTED" -H @"$WORK/token.header" > "$WORK/b.json"
grep -q '^HTTP/1.1 200' "$WORK/a.headers" || die "the baseline did not answer 200 (is EMBED_DEMO_BENCH honoured?)"
grep -q '^HTTP/1.1 200' "$WORK/b.headers" || die "the protected endpoint did not answer 200"
cmp -s "$WORK/a.json" "$WORK/b.json" || die "baseline and protected bodies differ: not equal work"
echo "bench: session with 2 messages; baseline and protected bodies identical ($(wc -c < "$WORK/a.json") bytes)," \
     "headers $(wc -c < "$WORK/a.headers") vs $(wc -c < "$WORK/b.headers") bytes"

# ---------------------------------------------------------------- wrk runs
WRK_OUT=$WORK/wrk.out
RPS_NOW=
P50_NOW=
run_wrk() { # $1 phase, $2 seconds; sets RPS_NOW and P50_NOW (ms). Runs in this shell: no subshell.
    local phase=$1 seconds=$2 script env_extra=()
    case $phase in
        a) script=get.lua; env_extra=(BENCH_PATH="$BASELINE" BENCH_TOKEN_FILE=) ;;
        t) script=get.lua; env_extra=(BENCH_PATH="$BASELINE" BENCH_TOKEN_FILE="$WORK/token") ;;
        b) script=get.lua; env_extra=(BENCH_PATH="$PROTECTED" BENCH_TOKEN_FILE="$WORK/token") ;;
        c) script=cold.lua; env_extra=(BENCH_PATH="$PROTECTED" BENCH_COLD_FILE="$COLD_FILE"
               BENCH_COLD_FIRST="$COLD_NEXT" BENCH_COLD_COUNT="$COLD_PER_RUN" BENCH_THREADS="$THREADS")
           COLD_NEXT=$((COLD_NEXT + COLD_PER_RUN)) ;;
        d) script=mint.lua; env_extra=(BENCH_KEY_FILE="$WORK/key") ;;
    esac
    env "${env_extra[@]}" timeout $((seconds + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency \
        -s "$ROOT/bench/wrk/$script" "$BASE" > "$WRK_OUT" 2>&1 || { cat "$WRK_OUT" >&2; die "wrk failed in phase $phase"; }
    local bad restarted
    bad=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WRK_OUT")
    [[ -z $bad || $bad == 0 ]] || { cat "$WRK_OUT" >&2; die "phase $phase had $bad non-2xx answers"; }
    grep -q 'Socket errors' "$WRK_OUT" && echo "bench: phase $phase: $(grep 'Socket errors' "$WRK_OUT" | sed 's/^ *//')" >&2
    restarted=$(sed -n 's/^cold-token-slices-restarted: *\([0-9]*\)/\1/p' "$WRK_OUT")
    [[ -z $restarted || $restarted == 0 ]] \
        || echo "bench: phase c ran out of fresh tokens $restarted time(s): raise BENCH_COLD_TOKENS" >&2
    RPS_NOW=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$WRK_OUT")
    P50_NOW=$(awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' "$WRK_OUT")
}

# Fresh tokens for (c), written by the benchmarks jar: first for the warm-up, at 1.5 times the
# warmed-up baseline's rate (a miss does strictly more work than the baseline); then for the
# rounds, at three times the rate the warm-up of (c) reached (its JIT was still warming up).
cold_tokens() { # $1 count, $2 file
    echo "bench: generating $1 distinct tokens for phase c"
    EMBED_SIGNING_SECRET=$SECRET java -cp "$BENCH_JAR" dev.embed.bench.TokenFile --session "$SID" \
        --subject bench-user --count "$1" --out "$2" 2> >(grep -v '^SLF4J' >&2) | sed 's/^/bench: /'
}
echo "bench: warm-up, $((WARMUP + 3)) s of a, ${WARMUP} s of t and b"
run_wrk a "$WARMUP"
run_wrk t "$WARMUP"
run_wrk b "$WARMUP"
run_wrk a 3
COLD_FILE=$WORK/cold-warmup.txt
COLD_NEXT=0
COLD_PER_RUN=$(awk -v r="$RPS_NOW" -v w="$WARMUP" 'BEGIN { n = int(r * w * 1.5); print (n < 10000 ? 10000 : n) }')
cold_tokens "$COLD_PER_RUN" "$COLD_FILE"

echo "bench: warm-up, ${WARMUP} s of c and d"
run_wrk c "$WARMUP"
COLD_RUNS=$((ROUNDS + (${#JFR_DIR} > 0 ? 1 : 0)))
COLD_FILE=$WORK/cold.txt
COLD_NEXT=0
COLD_PER_RUN=${BENCH_COLD_TOKENS:-$(awk -v r="$RPS_NOW" -v d="$DURATION" \
    'BEGIN { n = int(r * d * 3); print (n < 50000 ? 50000 : n) }')}
(( COLD_PER_RUN * COLD_RUNS <= 3000000 )) || COLD_PER_RUN=$((3000000 / COLD_RUNS))
cold_tokens $((COLD_PER_RUN * COLD_RUNS)) "$COLD_FILE"
rm -f "$WORK/cold-warmup.txt"
run_wrk d "$WARMUP"

declare -A RPS P50 names
names=([a]="a baseline (no token)" [t]="t baseline + token header" [b]="b protected, one token"
    [c]="c protected, fresh tokens" [d]="d mint (POST)")
PHASES="a t b c d"
echo "bench: $ROUNDS rounds of $PHASES; ${DURATION} s each; wrk -t$THREADS -c$CONNECTIONS"
printf '%-6s %-28s %12s %10s\n' round phase "req/s" "p50 ms"
for round in $(seq 1 "$ROUNDS"); do
    for phase in $PHASES; do
        run_wrk "$phase" "$DURATION"
        RPS[$phase]="${RPS[$phase]:-} $RPS_NOW"
        P50[$phase]="${P50[$phase]:-} $P50_NOW"
        printf '%-6s %-28s %12s %10s\n' "$round" "${names[$phase]}" "$RPS_NOW" "$P50_NOW"
        [[ -z $RESULTS ]] || printf '%s\t%s\t%s\t%s\t%s\n' "$LABEL" "$round" "$phase" "$RPS_NOW" "$P50_NOW" >> "$RESULTS"
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
declare -A MED MEDL
for phase in $PHASES; do
    MED[$phase]=$(echo "${RPS[$phase]}" | median)
    MEDL[$phase]=$(echo "${P50[$phase]}" | median)
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "== embed HTTP benchmark (issue 7): medians of $ROUNDS rounds =="
echo "load average: start $LOAD_START, end $LOAD_END"
for phase in $PHASES; do
    printf '%-28s %12.1f req/s  p50 %7.3f ms\n' "${names[$phase]}" "${MED[$phase]}" "${MEDL[$phase]}"
done
awk -v a="${MED[a]}" -v t="${MED[t]}" -v b="${MED[b]}" -v c="${MED[c]}" -v d="${MED[d]}" 'BEGIN {
    printf "b/a protected, repeated token / baseline: %6.3f  (budget >= 0.90: %s)\n", b / a, (b / a >= 0.90 ? "MET" : "MISSED")
    printf "  t/a carrying the token header (container): %6.3f\n", t / a
    printf "  b/t checking it (the filter and cache):     %6.3f\n", b / t
    printf "c/a protected, fresh tokens / baseline:   %6.3f  (no budget; the cold path)\n", c / a
    printf "d/a mint / baseline:                      %6.3f  (budget >= 0.50: %s)\n", d / a, (d / a >= 0.50 ? "MET" : "MISSED")
    printf "per request: a %.1f us, t %.1f us, b %.1f us, c %.1f us, d %.1f us (1e6 / req/s: the whole machine)\n", \
        1e6 / a, 1e6 / t, 1e6 / b, 1e6 / c, 1e6 / d
}'

# ---------------------------------------------------------------- optional: one profiled round
if [[ -n $JFR_DIR ]]; then
    mkdir -p "$JFR_DIR"
    echo
    echo "bench: profiling one more round with JFR into $JFR_DIR (not part of the figures above)"
    # JDK's "profile" settings without the events that would copy the server's environment and
    # system properties (the signing secret, the demo key) or other processes' command lines.
    JAVA_HOME_NOW=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
    awk '/<event name="jdk\.(InitialEnvironmentVariable|InitialSystemProperty|SystemProcess)">/ { off = 1 }
         off && /<setting name="enabled">/ { sub(/true/, "false"); off = 0 } { print }' \
        "$JAVA_HOME_NOW/lib/jfr/profile.jfc" > "$WORK/profile.jfc"
    for phase in $PHASES; do
        jcmd "$SERVER_PID" JFR.start name="phase-$phase" settings="$WORK/profile.jfc" > /dev/null
        run_wrk "$phase" "$DURATION"
        jcmd "$SERVER_PID" JFR.dump name="phase-$phase" filename="$JFR_DIR/phase-$phase.jfr" > /dev/null
        jcmd "$SERVER_PID" JFR.stop name="phase-$phase" > /dev/null
        if jfr summary "$JFR_DIR/phase-$phase.jfr" | grep -Eq 'jdk\.(InitialEnvironmentVariable|InitialSystemProperty) +[1-9]'; then
            rm -f "$JFR_DIR"/phase-*.jfr
            die "a JFR recording holds the server's environment or properties; removed"
        fi
    done
    for phase in $PHASES; do
        echo
        echo "-- JFR, phase ${names[$phase]} --"
        "$ROOT/bench/jfr-summary.sh" "$JFR_DIR/phase-$phase.jfr"
    done
fi
