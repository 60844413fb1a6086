#!/usr/bin/env bash
# Takes every figure docs/benchmarks.md reports, in one go, into a results directory:
#   mlp.tsv           compare.sh: Chainrule vs PyTorch, native BLAS
#   mlp-java.tsv      compare.sh with the pure-Java BLAS fallback (native BLAS disabled)
#   gemm.tsv          GemmReport: GFLOPS of Tensor.matmul vs the same BLAS called directly
#   chain.txt         ChainCheck: 1,000,000-node scalar chain in -Xmx512m
#   gc.txt            MlpBench mnist in -Xmx512m with GC time from the GC MXBeans
#   benchmarks.png    Plot of mlp.tsv and gemm.tsv
# Usage: benchmarks/report.sh [--threads 2] [--seconds 3] [--rounds 3] [--dir docs/bench-results]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
threads=2 seconds=3 rounds=3 dir=$root/docs/bench-results
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--seconds S] [--rounds R] [--dir DIR]" >&2; exit 2 ;;
  esac
done
jar=$root/benchmarks/target/chainrule-benchmarks.jar
mkdir -p "$dir"
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads

"$here/compare.sh" --threads "$threads" --seconds "$seconds" --rounds "$rounds" --out "$dir/mlp.tsv" 2>&1 | tee "$dir/mlp.log"
JAVA_OPTS=-Ddev.ludovic.netlib.blas.nativeLib=none \
  "$here/compare.sh" --threads "$threads" --seconds "$seconds" --rounds "$rounds" --cases mnist --out "$dir/mlp-java.tsv" 2>&1 | tee "$dir/mlp-java.log"
java -Xmx512m -cp "$jar" dev.chainrule.benchmarks.ChainCheck 5 2>&1 | tee "$dir/chain.txt"
java -Xmx512m -cp "$jar" dev.chainrule.benchmarks.MlpBench --threads "$threads" --seconds 10 --cases mnist --gc 2>&1 \
  | grep -v -e WARNING -e InstanceBuilder | tee "$dir/gc.txt"
java -cp "$jar" dev.chainrule.benchmarks.GemmReport --out "$dir/gemm.tsv" > "$dir/gemm.log" 2>&1
cat "$dir/gemm.tsv"
java -Djava.awt.headless=true -cp "$jar" dev.chainrule.benchmarks.Plot "$dir/mlp.tsv" "$dir/gemm.tsv" "$dir/benchmarks.png"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$dir/mlp.log"
