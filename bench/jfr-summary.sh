#!/usr/bin/env bash
# Where the time goes in a JFR recording (JDK 17's `jfr` tool): the share of execution samples
# spent inside the library's steps (inclusive: the step and everything it calls) and the hottest
# methods (self time: the sampled top frame).
#
#   bench/jfr-summary.sh recording.jfr [top-n]
set -euo pipefail
file=${1:?usage: jfr-summary.sh recording.jfr [top-n]}
top=${2:-15}
command -v jfr >/dev/null || { echo "jfr-summary: the JDK's jfr tool is not on the PATH" >&2; exit 1; }

jfr print --events jdk.ExecutionSample --stack-depth 96 "$file" | awk -v top="$top" '
BEGIN {
    n = split("TokenService.verify|TokenService.parse|org.jose4j.|TokenService.checkTimeAndRevocation|" \
              "TokenService.mint|auth.Credentials.bearer|servlet.EmbedTokenFilter.doFilter|" \
              "servlet.ChatServlet.service|demo.BenchmarkBaselineServlet.service|servlet.MintServlet.|" \
              "servlet.ApiKeyFilter.|chat.ChatService.session|json.Json.write|com.github.benmanes.caffeine", steps, "|")
}
/stackTrace = \[/ { inside = 1; depth = 0; delete seen; next }
inside && /^[ \t]*\]/ { inside = 0; total++; next }
inside {
    frame = $0
    sub(/^[ \t]+/, "", frame)
    if (frame == "...") next
    sub(/[ \t]+line:.*$/, "", frame)
    method = frame
    sub(/\(.*$/, "", method)
    if (depth == 0) self[method]++
    depth++
    for (i = 1; i <= n; i++) {
        if (!(i in seen) && index(method, steps[i]) > 0) { seen[i] = 1; incl[i]++ }
    }
}
END {
    if (total == 0) { print "no execution samples"; exit }
    printf "%d execution samples\n", total
    printf "inclusive share (the step and all it calls):\n"
    for (i = 1; i <= n; i++) if (incl[i] > 0) printf "  %5.1f%%  %s\n", 100 * incl[i] / total, steps[i]
    printf "hottest methods (self):\n"
    for (k = 1; k <= top; k++) {
        best = ""; max = 0
        for (m in self) if (self[m] > max) { max = self[m]; best = m }
        if (best == "") break
        printf "  %5.1f%%  %s\n", 100 * max / total, best
        delete self[best]
    }
}'
