#!/usr/bin/env bash
# Chainrule's MlpBench and CnnBench side by side with the PyTorch references (shared/bench/torch_mlp.py,
# shared/bench/torch_cnn.py --mode steps), same cases, same thread count, same dtype (float64 unless --dtype
# says otherwise), and the ratio per case (> 1 means Chainrule is faster). The case "cnn" is the Fashion-MNIST
# conv net (CnnBench); the others MlpBench's.
#
# Usage: benchmarks/compare.sh [--threads 2] [--seconds 3] [--cases xor,mnist,wide,cnn] [--rounds 1] [--out FILE]
#                              [--dtype float64|float32|float64,float32] [--torch-env VAR=VALUE]
#   --dtype D   float64 (default), float32, or a list: each case runs in each dtype (Chainrule and PyTorch
#               alternating, both with --dtype D). Rows are named by case for float64 and <case>/f32 for
#               float32, so a float64-only table is the same as before.
#   --rounds R  runs each case R times, alternating Chainrule and PyTorch, and reports medians
#               (use 3 or more on a shared machine: the load changes from one second to the next)
#   --out FILE  also writes the table as tab-separated values (for docs/benchmarks.md and the plot)
#   --torch-env VAR=VALUE  extra environment for the PyTorch runs only (repeatable), e.g.
#               OMP_WAIT_POLICY=passive: PyTorch's OpenMP threads otherwise spin after each parallel
#               region and compete with OpenBLAS's threads for the cores, which on a busy 2-core
#               machine can cost PyTorch more than half its mnist speed
# Build the jar first: mvn -B -ntp -q -pl benchmarks -am package -DskipTests
# PyTorch: apt-get install -y python3-torch (run by /usr/bin/python3); skipped with a message when absent.
# CHAINRULE_SHARED overrides where shared/ is (default: ../shared relative to the repository root).
# JAVA_OPTS is passed to the JVM, e.g. JAVA_OPTS=-Ddev.ludovic.netlib.blas.nativeLib=none to measure
# the pure-Java BLAS fallback, or JAVA_OPTS=-Xmx512m.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
threads=2 seconds=3 cases=xor,mnist,wide,cnn rounds=1 out="" torch_env=() dtypes=float64
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --torch-env) torch_env+=("$2"); shift 2 ;;
    --dtype) dtypes=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--seconds S] [--cases xor,mnist,wide,cnn] [--rounds R] [--out FILE] [--torch-env VAR=VALUE] [--dtype float64,float32]" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a dtype_list <<< "$dtypes"
for d in "${dtype_list[@]}"; do
  case "$d" in float64|float32) ;; *) echo "compare.sh: --dtype $d: use float64, float32 or float64,float32" >&2; exit 2 ;; esac
done
label() {  # row name of case $1 in dtype $2
  if [ "$2" = float32 ]; then echo "$1/f32"; else echo "$1"; fi
}

jar=$root/benchmarks/target/chainrule-benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "compare.sh: $jar not found; build it with: mvn -B -ntp -q -pl benchmarks -am package -DskipTests" >&2
  exit 1
fi
shared=${CHAINRULE_SHARED:-$root/../shared}     # shared/ sits next to the repository; override for a worktree elsewhere
torch_py=$shared/bench/torch_mlp.py
torch_cnn=$shared/bench/torch_cnn.py
python=/usr/bin/python3
have_torch=1
if [ ! -f "$torch_py" ]; then
  echo "compare.sh: $torch_py not found (shared/ is expected next to the repository): skipping PyTorch" >&2; have_torch=0
elif ! "$python" -c 'import torch' 2>/dev/null; then
  echo "compare.sh: PyTorch is not installed (apt-get install -y python3-torch): skipping PyTorch" >&2; have_torch=0
fi

# The same thread limit for both: OpenBLAS (used by both for float64 GEMM) and OpenMP read these;
# MlpBench limits its ForkJoin kernels and PyTorch calls torch.set_num_threads from --threads.
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads

blas=$(java ${JAVA_OPTS:-} -cp "$jar" dev.chainrule.benchmarks.BlasInfo 2>/dev/null || echo unknown)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), threads $threads, $dtypes"
libblas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo none)
echo "# $(java -version 2>&1 | head -1); Chainrule GEMM: $blas; libblas.so.3 -> $libblas"
if [ $have_torch = 1 ]; then echo "# PyTorch $("$python" -c 'import torch; print(torch.__version__)') ${torch_env[*]:-}"; fi
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
IFS=, read -r -a case_list <<< "$cases"
failed() {  # a Chainrule run failed: say so with the end of its stderr, and go on (its row shows NaN)
  echo "compare.sh: $1 failed:" >&2
  grep -E '^(Exception|Caused by|Error)' "$tmp/chainrule.err" | tail -n 2 | sed 's/^/  /' >&2
}
for ((r = 1; r <= rounds; r++)); do
  for c in "${case_list[@]}"; do
    for d in "${dtype_list[@]}"; do
      l=$(label "$c" "$d")
      # Each program prints "<case> <steps_per_s> <samples_per_s>"; the first field becomes the row name.
      if [ "$c" = cnn ]; then
        java ${JAVA_OPTS:-} -cp "$jar" dev.chainrule.benchmarks.CnnBench --threads "$threads" --seconds "$seconds" --dtype "$d" \
          2>>"$tmp/chainrule.err" | awk -v l="$l" '{ $1 = l; print }' | tee -a "$tmp/chainrule.txt" | sed 's/^/chainrule /' >&2 \
          || failed "CnnBench --dtype $d"
        if [ $have_torch = 1 ]; then
          env ${torch_env[@]+"${torch_env[@]}"} "$python" "$torch_cnn" --mode steps --threads "$threads" --seconds "$seconds" --dtype "$d" \
            | awk -v l="$l" '{ $1 = l; print }' | tee -a "$tmp/torch.txt" | sed 's/^/pytorch   /' >&2
        fi
        continue
      fi
      java ${JAVA_OPTS:-} -cp "$jar" dev.chainrule.benchmarks.MlpBench --threads "$threads" --seconds "$seconds" --cases "$c" --dtype "$d" \
        2>>"$tmp/chainrule.err" | awk -v l="$l" '{ $1 = l; print }' | tee -a "$tmp/chainrule.txt" | sed 's/^/chainrule /' >&2 \
        || failed "MlpBench --cases $c --dtype $d"
      if [ $have_torch = 1 ]; then
        env ${torch_env[@]+"${torch_env[@]}"} "$python" "$torch_py" --threads "$threads" --seconds "$seconds" --cases "$c" --dtype "$d" \
          | awk -v l="$l" '{ $1 = l; print }' | tee -a "$tmp/torch.txt" | sed 's/^/pytorch   /' >&2
      fi
    done
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() {  # median of the steps/s column for case $2 in file $1
  awk -v c="$2" '$1 == c { print $2 }' "$1" 2>/dev/null | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NaN"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
table=$(
  printf 'case\tchainrule_steps_per_s\tpytorch_steps_per_s\tratio\n'
  for c in "${case_list[@]}"; do
    for d in "${dtype_list[@]}"; do
      l=$(label "$c" "$d")
      j=$(median "$tmp/chainrule.txt" "$l")
      if [ $have_torch = 1 ]; then
        t=$(median "$tmp/torch.txt" "$l")
        printf '%s\t%s\t%s\t%s\n' "$l" "$j" "$t" "$(awk -v a="$j" -v b="$t" 'BEGIN { printf "%.2f", a / b }')"
      else
        printf '%s\t%s\t-\t-\n' "$l" "$j"
      fi
    done
  done
)
echo "$table" | column -t
if [ -n "$out" ]; then echo "$table" > "$out"; fi
