#!/usr/bin/env bash
# One prepared GPU check of the baseline network: GPU rows/s against the CPU,
# bf16 autocast, and CPU/GPU score agreement. Finishes in a few minutes on a
# single GPU. Uses the Python that has a CUDA build of torch; hepmass runs
# from the source tree, so only its dependencies must be installed there.
set -euo pipefail
cd "$(dirname "$0")/.."

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 - <<'PY'
import importlib.util, sys
missing = [m for m in ("torch", "numpy", "sklearn", "safetensors", "tqdm",
                       "pyarrow", "click", "isal") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit("missing Python packages on this machine: " + ", ".join(missing))
PY
PYTHONPATH=src timeout 480 python3 benchmarks/gpu_check.py
