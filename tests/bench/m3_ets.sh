#!/usr/bin/env bash
# M3 monthly: Shelfcast's automatic ETS against R's forecast::ets on the same 1,428 series.
# Usage: tests/bench/m3_ets.sh [max_series]   (run from anywhere; R part skipped if Rscript absent)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="${M3_DATA:-/work/shared/data/m3_long.csv.gz}"
build="$root/build/m3-ets"
max="${1:--1}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHELFCAST_TESTS=OFF >/dev/null
cmake --build "$build" --target shelfcast_core -j2 >/dev/null
c++ -std=c++17 -O2 -I "$root/shared/include" "$root/tests/bench/bench_m3.cpp" \
  "$build/shared/libshelfcast_core.a" -o "$build/bench_m3"
gzip -dc "$data" | "$build/bench_m3" - "$max"
if command -v Rscript >/dev/null; then
  if [ "$max" = "-1" ]; then Rscript "$root/tests/bench/m3_ets.R" "$data"
  else Rscript "$root/tests/bench/m3_ets.R" "$data" "$max"; fi
fi
