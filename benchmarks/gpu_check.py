"""Baseline training on one GPU against the CPU, and agreement of their scores.

Prints the GPU's training rows/s (float32 and bf16 autocast), its ratio to the
CPU figure measured in the same run, and the largest difference between the
scores of one trained model evaluated on the CPU and on the GPU. Synthetic
data: 27 standard-normal features with labels from a fixed random network.
Run through ``benchmarks/gpu_check.sh``, which fails fast without a GPU.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from hepmass.data.events import Events
from hepmass.models.baseline import BaselineClassifier
from hepmass.training.config import TrainingConfig

ROWS_GPU = 4_000_000
ROWS_CPU = 400_000
BATCH = 4096


def synthetic(rows: int, seed: int) -> Events:
    generator = torch.Generator().manual_seed(seed)
    features = torch.randn(rows, 27, generator=generator)
    weights = torch.randn(27, generator=generator)
    logits = features @ weights / 3 + features[:, 22] ** 2 - 1
    labels = torch.bernoulli(torch.sigmoid(logits), generator=generator)
    return Events(features.numpy(), labels.numpy().astype(np.float32))


def train_rate(events: Events, valid: Events, device: str, precision: str) -> float:
    config = TrainingConfig(
        epochs=2, batch_size=BATCH, device=device, precision=precision
    )
    model = BaselineClassifier(training=config)
    history = model.fit(events, valid)
    return history.rows_per_second


def main() -> None:
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU visible to PyTorch; nothing to check")
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    valid = synthetic(200_000, seed=1)
    cpu_rate = train_rate(synthetic(ROWS_CPU, 0), valid, "cpu", "fp32")
    big = synthetic(ROWS_GPU, 0)
    gpu_rate = train_rate(big, valid, "cuda", "fp32")
    bf16_rate = train_rate(big, valid, "cuda", "bf16")
    print(f"{'device':<16}{'rows/s':>14}{'x CPU':>8}")
    print(f"{'cpu fp32':<16}{cpu_rate:>14,.0f}{1.0:>8.1f}")
    print(f"{'cuda fp32':<16}{gpu_rate:>14,.0f}{gpu_rate / cpu_rate:>8.1f}")
    print(f"{'cuda bf16':<16}{bf16_rate:>14,.0f}{bf16_rate / cpu_rate:>8.1f}")

    model = BaselineClassifier(training=TrainingConfig(epochs=1, batch_size=BATCH))
    model.fit(synthetic(200_000, 2), valid)
    cpu_scores = model.predict(valid)
    model.training = TrainingConfig(epochs=1, batch_size=BATCH, device="cuda")
    start = time.perf_counter()
    gpu_scores = model.predict(valid)
    seconds = time.perf_counter() - start
    difference = float(np.max(np.abs(cpu_scores - gpu_scores)))
    verdict = "agree" if difference < 1e-4 else "DISAGREE"
    print(f"scores CPU vs GPU: max |difference| {difference:.2e} -> {verdict}")
    print(f"GPU inference: {len(valid) / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
