#!/usr/bin/env bash
# Takes every figure docs/benchmarks.md reports, in one go, into a results directory:
#   mlp.tsv           compare.sh: Chainrule vs PyTorch, native BLAS (MLP cases and the conv net "cnn"), in each
#                     --dtype (default float64,float32: rows "mnist" are float64, "mnist/f32" float32)
#   mlp-passive.tsv   compare.sh with PyTorch's OpenMP threads set not to spin (OMP_WAIT_POLICY=passive)
#   mlp-java.tsv      compare.sh with the pure-Java BLAS fallback (native BLAS disabled)
#   gemm.tsv          GemmReport: GFLOPS of Tensor.matmul vs the same BLAS called directly
#   conv.tsv          ConvReport: GFLOPS of Conv2d forward and backward vs the GEMMs they are made of
#   epoch.txt         one Fashion-MNIST epoch of the conv net, Chainrule (fashion-mnist example) vs PyTorch
#                     (torch_cnn.py --mode train); skipped without the data (apt-get install -y dataset-fashion-mnist)
#   gp.txt            GpBench: GP negative log marginal likelihood + gradient, n = 100 and 1000
#   chain.txt         ChainCheck: 1,000,000-node scalar chain in -Xmx512m
#   gc.txt            MlpBench mnist in -Xmx512m with GC time from the GC MXBeans
#   gemm-share.txt    GemmShare: mnist and wide training step vs exactly its GEMMs, float32 and float64
#   memory-dtype.txt  MemoryBench --dtype float32,float64: wide MLP under Adam, peak live heap and ratios
#   torch-memory.txt  benchmarks/torch_memory.py: PyTorch's resident-set growth for the same step
#   scaling.csv       scaling.sh (unless --no-scaling): steps/s vs width and batch, both libraries, both dtypes,
#                     with scaling-crossovers.txt and scaling.png (copy it to docs/scaling.png)
#   benchmarks.png    Plot of mlp.tsv and gemm.tsv (copy it to docs/benchmarks.png, which docs/benchmarks.md shows)
# Usage: benchmarks/report.sh [--threads 2] [--seconds 3] [--rounds 3] [--dir docs/bench-results]
#                             [--dtype float64,float32] [--no-scaling]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
threads=2 seconds=3 rounds=3 dir=$root/docs/bench-results dtypes=float64,float32 scaling=1
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --dtype) dtypes=$2; shift 2 ;;
    --no-scaling) scaling=0; shift ;;
    *) echo "usage: $0 [--threads N] [--seconds S] [--rounds R] [--dir DIR] [--dtype float64,float32] [--no-scaling]" >&2; exit 2 ;;
  esac
done
jar=$root/benchmarks/target/chainrule-benchmarks.jar
mkdir -p "$dir"
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads

"$here/compare.sh" --threads "$threads" --seconds "$seconds" --rounds "$rounds" --dtype "$dtypes" --out "$dir/mlp.tsv" 2>&1 | tee "$dir/mlp.log"
"$here/compare.sh" --threads "$threads" --seconds "$seconds" --rounds "$rounds" --dtype "$dtypes" --torch-env OMP_WAIT_POLICY=passive \
  --out "$dir/mlp-passive.tsv" 2>&1 | tee "$dir/mlp-passive.log"
JAVA_OPTS=-Ddev.ludovic.netlib.blas.nativeLib=none \
  "$here/compare.sh" --threads "$threads" --seconds "$seconds" --rounds "$rounds" --cases mnist --out "$dir/mlp-java.tsv" 2>&1 | tee "$dir/mlp-java.log"
java -cp "$jar" dev.chainrule.benchmarks.ConvReport --threads "$threads" --out "$dir/conv.tsv" 2>/dev/null
cat "$dir/conv.tsv"
fmnist=/usr/share/datasets/fashion-mnist
examples_jar=$root/examples/target/chainrule-examples.jar
if [ -f "$fmnist/train-images-idx3-ubyte.gz" ] && [ -f "$examples_jar" ]; then
  # One epoch each (Chainrule's example, then PyTorch, then both again): the training seconds and test accuracy.
  : > "$dir/epoch.txt"
  for r in 1 2; do
    java -Dchainrule.threads="$threads" -jar "$examples_jar" fashion-mnist --epochs 1 2>/dev/null \
      | grep -E '^(Trained|test accuracy)' | sed 's/^/chainrule /' | tee -a "$dir/epoch.txt"
    OMP_WAIT_POLICY=passive /usr/bin/python3 "${CHAINRULE_SHARED:-$root/../shared}/bench/torch_cnn.py" --mode train --epochs 1 \
      --dtype float64 --threads "$threads" | sed 's/^/pytorch (passive) /' | tee -a "$dir/epoch.txt"
  done
else
  echo "report.sh: $fmnist or $examples_jar missing: skipping the Fashion-MNIST epoch" | tee "$dir/epoch.txt"
fi
java -Xmx512m -cp "$jar" dev.chainrule.benchmarks.ChainCheck 5 2>&1 | tee "$dir/chain.txt"
java -Xmx512m -cp "$jar" dev.chainrule.benchmarks.MlpBench --threads "$threads" --seconds 10 --cases mnist --gc 2>&1 \
  | grep -v -e WARNING -e InstanceBuilder | tee "$dir/gc.txt"
java -cp "$jar" dev.chainrule.benchmarks.GpBench --sizes 100,1000 --steps 20 --threads "$threads" 2>/dev/null | tee "$dir/gp.txt"
java -cp "$jar" dev.chainrule.benchmarks.GemmReport --out "$dir/gemm.tsv" > "$dir/gemm.log" 2>&1
cat "$dir/gemm.tsv"
java -cp "$jar" dev.chainrule.benchmarks.GemmShare --threads "$threads" --seconds 2 --rounds "$rounds" --dtype "$dtypes" 2>/dev/null \
  | tee "$dir/gemm-share.txt"
java -XX:+UseSerialGC -cp "$jar" dev.chainrule.benchmarks.MemoryBench --optimizer adam --dtype float32,float64 2>/dev/null \
  | tee "$dir/memory-dtype.txt"
/usr/bin/python3 "$here/torch_memory.py" --threads "$threads" --dtype float32,float64 | tee "$dir/torch-memory.txt"
if [ $scaling = 1 ]; then
  "$here/scaling.sh" --threads "$threads" --dtype "$dtypes" --out "$dir/scaling.csv" --png "$dir/scaling.png"
fi
java -Djava.awt.headless=true -cp "$jar" dev.chainrule.benchmarks.Plot "$dir/mlp.tsv" "$dir/gemm.tsv" "$dir/benchmarks.png" "$dir/mlp-passive.tsv"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$dir/mlp.log"
