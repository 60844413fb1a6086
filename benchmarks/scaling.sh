#!/usr/bin/env bash
# Steps per second against layer width and batch size, Chainrule (ScalingBench) and PyTorch
# (benchmarks/torch_scaling.py, at its default and with OMP_WAIT_POLICY=passive), in each dtype;
# the MLP w-w-w-10 (ReLU, cross-entropy, SGD), widths 64..2048 at batch 128, batches 1..1024 at width 256.
# Writes the CSV (sweep,width,batch,dtype,library,steps_per_s), draws the plot and prints the crossovers
# (where the Chainrule / PyTorch ratio crosses 1) with ScalingPlot.
#
# Usage: benchmarks/scaling.sh [--threads 2] [--seconds 1.5] [--dtype float64,float32]
#                              [--out docs/bench-results/scaling.csv] [--png docs/scaling.png]
#   --seconds S  timed seconds per point (about 12 points x 3 programs x 2 dtypes: ~4 min at 1.5 s)
# Runs alternate program by program (Chainrule, PyTorch default, PyTorch passive) within each dtype.
# Build the jar first: mvn -B -ntp -q -pl benchmarks -am package -DskipTests
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
threads=2 seconds=1.5 dtypes=float64,float32 out=$root/docs/bench-results/scaling.csv png=$root/docs/scaling.png
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --dtype) dtypes=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --png) png=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--seconds S] [--dtype float64,float32] [--out FILE.csv] [--png FILE.png]" >&2; exit 2 ;;
  esac
done
jar=$root/benchmarks/target/chainrule-benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "scaling.sh: $jar not found; build it with: mvn -B -ntp -q -pl benchmarks -am package -DskipTests" >&2
  exit 1
fi
python=/usr/bin/python3
have_torch=1
"$python" -c 'import torch' 2>/dev/null || { echo "scaling.sh: PyTorch is not installed (apt-get install -y python3-torch): Chainrule only" >&2; have_torch=0; }
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
mkdir -p "$(dirname "$out")"
{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), threads $threads, $seconds s per point"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "sweep,width,batch,dtype,library,steps_per_s"
} > "$out"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
IFS=, read -r -a dtype_list <<< "$dtypes"
for d in "${dtype_list[@]}"; do
  java -cp "$jar" dev.chainrule.benchmarks.ScalingBench --threads "$threads" --seconds "$seconds" --dtype "$d" 2>"$err" \
    | awk -F, -v OFS=, '{ print $1, $2, $3, $4, "chainrule", $5 }' | tee -a "$out" \
    || { echo "scaling.sh: ScalingBench --dtype $d failed:" >&2; tail -n 5 "$err" >&2; }
  if [ $have_torch = 1 ]; then
    "$python" "$here/torch_scaling.py" --threads "$threads" --seconds "$seconds" --dtype "$d" \
      | awk -F, -v OFS=, '{ print $1, $2, $3, $4, "pytorch", $5 }' | tee -a "$out"
    OMP_WAIT_POLICY=passive "$python" "$here/torch_scaling.py" --threads "$threads" --seconds "$seconds" --dtype "$d" \
      | awk -F, -v OFS=, '{ print $1, $2, $3, $4, "pytorch-passive", $5 }' | tee -a "$out"
  fi
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
java -Djava.awt.headless=true -cp "$jar" dev.chainrule.benchmarks.ScalingPlot "$out" "$png" | tee "${out%.csv}-crossovers.txt"
