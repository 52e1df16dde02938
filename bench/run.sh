#!/usr/bin/env bash
# Runs the JMH kernel benchmarks and the native peers (OpenBLAS via numpy, PyTorch, from
# ../shared/peers) in one go and writes bench/results/<date>.md with the ratios.
#
#   bench/run.sh                     # everything, 1 and 2 threads (about 65 minutes)
#   bench/run.sh --only Softmax      # benchmark classes (a regex)
#   bench/run.sh --no-peers --quick  # try the runner out
#   bench/run.sh cpo-steps gpt2:full:f32 gpt2-xl:lora:bf16:recompute   # CPO steps by shape: time, phases, peak heap
#   bench/run.sh allreduce [--floats 1000000,10000000] [--runs 9]        # ring all-reduce on loopback vs a socket copy (stdout)
#   CPO4J_JAVA_OPTS=-Xmx16g bench/run.sh data-parallel [PRESET B T STEPS]  # training step: 2 replicas on the ring vs 1 × 1 and 1 × 2 threads
#   CPO4J_JAVA_OPTS=-Xmx16g bench/run.sh scaling [--rounds 9] [--steps 3] [--no-step] [--out FILE]  # kernels and training step at 1 vs 2 threads, efficiency; 4–16 threads simulated
#
# Before measuring, bench/peers/blas_probe.py asks numpy and torch which BLAS they really run; the
# runner stops (exit 3) when it is the reference BLAS or none it can name, and names it in the header.
#
# Extra JVM options for the runner: CPO4J_JAVA_OPTS. JMH forks the same JDK the runner runs on.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
min_major=21

# The same JDK discovery as ./cpo4j: JAVA_HOME or java on PATH when >= 21, else the newest in the usual folders.
java_major() {
  local java="$1" home release v
  home="$(cd "$(dirname "$java")/.." 2>/dev/null && pwd)" || return 1
  release="$home/release"
  if [[ -f "$release" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$release")"
  else
    v="$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  fi
  v="${v#1.}"
  echo "${v%%[.+-]*}"
}

find_java() {
  local candidates=() c best="" best_major=0 m
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for c in "${candidates[@]}"; do
    if [[ -x "$c" ]] && m="$(java_major "$c")" && [[ "$m" =~ ^[0-9]+$ ]] && (( m >= min_major )); then
      echo "$c"; return 0
    fi
  done
  for c in /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java /opt/*/bin/java \
           "$HOME"/.sdkman/candidates/java/*/bin/java "$HOME"/.jdks/*/bin/java \
           /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    [[ -x "$c" ]] || continue
    m="$(java_major "$c" 2>/dev/null)" || continue
    [[ "$m" =~ ^[0-9]+$ ]] || continue
    if (( m >= min_major && m > best_major )); then best="$c"; best_major=$m; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return 0; }
  return 1
}

if ! JAVA="$(find_java)"; then
  echo "bench: no JDK ${min_major} or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm and the usual folders)." >&2
  exit 1
fi

echo "bench: building (mvn -q -B -DskipTests -pl bench -am package)..." >&2
(cd "$root" && mvn -q -B -DskipTests -pl bench -am package >&2)

cp="$root/bench/target/classes"
for j in "$root"/bench/target/lib/*.jar; do cp="$cp:$j"; done

command="bench/run.sh $*"
main=io.cpo4j.bench.BenchRunner
if [[ "${1:-}" == cpo-steps ]]; then main=io.cpo4j.bench.CpoStepTable; shift; fi
if [[ "${1:-}" == allreduce ]]; then main=io.cpo4j.bench.AllReduceRun; shift; fi
if [[ "${1:-}" == data-parallel ]]; then main=io.cpo4j.bench.DataParallelStepRun; shift; fi
if [[ "${1:-}" == scaling ]]; then main=io.cpo4j.bench.ScalingRun; shift; fi
# shellcheck disable=SC2086
exec "$JAVA" ${CPO4J_JAVA_OPTS:-} --add-modules jdk.incubator.vector -cp "$cp" \
  -Dcpo4j.root="$root" -Dcpo4j.bench.command="$command" \
  "$main" "$@"
