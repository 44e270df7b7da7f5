#!/usr/bin/env bash
# Client CPU per call of one benchmark, from the JMH fork's own /proc counters (user and system
# time of every thread of the fork; the server's processes are not counted), over 10 s in the
# middle of one long measurement iteration, and the CPU the JIT compiler threads used meanwhile.
#
#   bench/cpu-per-call.sh <benchmark regex> [threads (8)] [warm-up seconds (20)]
#   bench/cpu-per-call.sh 'PointSelectBenchmark.serviceReadDao$' 8 20
#
# Needs bench/target/benchmarks.jar (mvn -B -q -pl bench -am package -DskipTests) and Linux.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
bench="$1"; threads="${2:-8}"; warmup="${3:-20}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
java -jar "$jar" "$bench" -t "$threads" -f 1 -wi 1 -w "$warmup" -i 1 -r 24 >"$out" 2>&1 &
jmh=$!
sleep $((warmup + 6)) # the fork's server starts, then the warm-up; measure inside the iteration
fork="$(pgrep -f ForkedMain | head -1)"
hz="$(getconf CLK_TCK)"
cpu() { awk '{print $14 + $15, $14, $15}' "/proc/$fork/stat"; }
jit() { for t in /proc/"$fork"/task/*; do
          if grep -q -E 'C[12] Compiler' "$t/comm"; then awk '{print $14 + $15}' "$t/stat"; fi
        done | awk '{s += $1} END {print s + 0}'; }
read -r _ u1 s1 < <(cpu); j1="$(jit)"
sleep 10
read -r _ u2 s2 < <(cpu); j2="$(jit)"
wait "$jmh"
score="$(grep -E ' thrpt ' "$out" | grep -v ':' | tail -1 | awk '{print $3}')"
awk -v b="$bench" -v t="$threads" -v w="$warmup" -v s="$score" -v hz="$hz" \
    -v u="$((u2 - u1))" -v sy="$((s2 - s1))" -v j="$((j2 - j1))" 'BEGIN {
  ops = s * 10
  printf "%s, %d threads, %d s warm-up: %.0f ops/s; client CPU per call %.1f us (user %.1f, system %.1f); JIT threads %.2f s of the 10 s\n",
    b, t, w, s, (u + sy) / hz / ops * 1e6, u / hz / ops * 1e6, sy / hz / ops * 1e6, j / hz }'
