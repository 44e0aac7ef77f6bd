#!/usr/bin/env bash
# Whole-process benchmark of `uppsikt run` against its I/O floor (BENCHMARKS.md).
#
#   scripts/bench.sh               # N = 300 and 3000 organisations
#   scripts/bench.sh 300 3000 10000
#
# For each N: generate a fictitious corpus under /tmp (once, kept for reruns),
# do one warm-up run (fills the page cache and leaves a previous run, as a
# nightly run always has), then time one run and the I/O floor with
# /usr/bin/time -v and print a Markdown table row. Needs GNU time
# (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(300 3000)
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bin uppsikt --example gen_corpus --example io_floor
bin=${CARGO_TARGET_DIR:-$repo/target}/release

echo "maskin: $(nproc) kärnor, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
     "$(free -h | awk '/^Mem:/ {print $2}') minne; belastning före: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| N org | filer | utvärderingar | vägg s | CPU s (user+sys) | CPU/vägg | max RSS MiB | filer/s | utvärderingar/s | golv vägg s | golv max RSS MiB | kvot run/golv |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"

# wall seconds, cpu seconds, max RSS in MiB from a `time -v` file
measure() {
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /User time/   { u = $2 }
    /System time/ { s = $2 }
    /Maximum resident set size/ { m = $2 / 1024 }
    END { printf "%.2f %.2f %.0f\n", w, u + s, m }' "$1"
}

for n in "${sizes[@]}"; do
  dir=/tmp/uppsikt-bench-$n
  if [ ! -d "$dir/inputs" ]; then
    "$bin/examples/gen_corpus" --orgs "$n" --seed 1 --out "$dir" >&2
  fi
  rm -rf "$dir/outputs" "$dir/floor"
  (cd "$dir" && "$bin/uppsikt" run --konfiguration uppsikt.yaml --per 2026-11-26 >/dev/null 2>"$dir/warmup.log")
  (cd "$dir" && "$TIME" -v "$bin/uppsikt" run --konfiguration uppsikt.yaml --per 2026-11-26 \
      >"$dir/run.out" 2>"$dir/run.time") || true
  run=$(ls -d "$dir"/outputs/2*/ | sort | tail -1)
  "$TIME" -v "$bin/examples/io_floor" --inputs "$dir/inputs" --run "$run" --out "$dir/floor" \
      >"$dir/floor.out" 2>"$dir/floor.time"
  read -r w c m < <(measure "$dir/run.time")
  read -r fw _fc fm < <(measure "$dir/floor.time")
  files=$(grep -c '"sokvag"' "$run/manifest.json")
  evals=$(grep -m1 '"antal_utvarderingar"' "$run/manifest.json" | tr -dc 0-9)
  awk -v n="$n" -v f="$files" -v e="$evals" -v w="$w" -v c="$c" -v m="$m" -v fw="$fw" -v fm="$fm" 'BEGIN {
    printf "| %d | %d | %d | %.1f | %.1f | %.2f | %d | %.0f | %.0f | %.1f | %d | %.2f |\n",
      n, f, e, w, c, c / w, m, f / w, e / w, fw, fm, w / fw }'
done
echo
echo "belastning efter: $(cut -d' ' -f1-3 /proc/loadavg)"
