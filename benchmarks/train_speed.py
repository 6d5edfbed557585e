"""Training and inference speed of the baseline network against its bounds.

Runs, in one process and on the same data:

1. a 2048 x 2048 float32 matrix product, whose rate bounds the network:
   forward and backward cost about 3 x 27,456 FLOP a row. It is measured
   before and after every loop and the highest rate sets the bound;
2. the study-style loop: a DataLoader over a TensorDataset, batch 64;
3. the hepmass loop (rows gathered in a random order into a staging
   buffer, batches as slices of it) at several batch sizes, in float32 and
   with bfloat16 autocast; the bound stays the float32 one;
4. time to quality: the wall time each loop needs to reach the validation
   AUC that the study-style loop reaches after 10 epochs (less 0.001);
5. inference: ``BaselineClassifier.predict`` on 2 million rows already in
   memory, best of 3 calls (``--inference-only`` measures just this).

The data are synthetic unless ``--data FILE`` names a HEPMASS file: 27
standard-normal features whose label is drawn from a fixed random "teacher"
network, so the achievable AUC is known to be below 1 and every loop learns
the same function.

Usage::

    python benchmarks/train_speed.py [--rows 300000] [--data FILE]
"""

from __future__ import annotations

import logging
import os
import platform
import time

os.environ.setdefault("TQDM_DISABLE", "1")

import click
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from hepmass.allocator import retain_freed_memory
from hepmass.data import read_events
from hepmass.data.events import Events, stratified_split
from hepmass.models.baseline import BaselineClassifier
from hepmass.models.network import multilayer_perceptron
from hepmass.models.standardize import Standardizer
from hepmass.training.config import TrainingConfig
from hepmass.training.loop import default_optimizer, train_network

FLOP_PER_ROW = 3 * 2 * (27 * 128 + 128 * 64 + 64 * 32 + 32)


class MatmulRate:
    """The matrix-product rate, measured before and after every loop.

    On a shared machine the rate drifts. The bound uses the highest rate
    seen, so a slow moment cannot make a loop look closer to its bound.
    """

    def __init__(self) -> None:
        self.samples: list[float] = []

    def measure(self) -> float:
        self.samples.append(matmul_gflops())
        return self.samples[-1]

    @property
    def bound(self) -> float:
        return max(self.samples) * 1e9 / FLOP_PER_ROW


def matmul_gflops(size: int = 2048, repeats: int = 30) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    seconds = time.perf_counter() - start
    return 2 * size**3 * repeats / seconds / 1e9


def synthetic_events(rows: int, seed: int) -> Events:
    generator = torch.Generator().manual_seed(seed)
    features = torch.randn(rows, 27, generator=generator)
    teacher = nn.Sequential(nn.Linear(27, 64), nn.Tanh(), nn.Linear(64, 1))
    torch.manual_seed(1234)
    for layer in teacher:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=0.6)
    with torch.no_grad():
        logits = 2.0 * teacher(features).reshape(-1)
    labels = torch.bernoulli(torch.sigmoid(logits), generator=generator)
    return Events(features.numpy(), labels.numpy().astype(np.float32))


def _auc(module: nn.Module, inputs: torch.Tensor, labels: np.ndarray) -> float:
    module.eval()
    with torch.inference_mode():
        logits = module(inputs).reshape(-1).numpy()
    module.train()
    return float(roc_auc_score(labels, logits))


def study_loop(train, valid, epochs: int) -> tuple[float, list[tuple[float, float]]]:
    """Train as the study did: DataLoader, batch 64. Returns rows/s and (time, AUC)."""
    torch.manual_seed(0)
    module = multilayer_perceptron(27, (128, 64, 32))
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_function = nn.BCEWithLogitsLoss()
    dataset = TensorDataset(torch.from_numpy(train[0]), torch.from_numpy(train[1]))
    loader = DataLoader(dataset, batch_size=64, shuffle=True)
    valid_inputs = torch.from_numpy(valid[0])
    curve, train_seconds, elapsed = [], 0.0, 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = loss_function(module(inputs).reshape(-1), labels)
            loss.backward()
            optimizer.step()
        train_seconds += time.perf_counter() - start
        elapsed += time.perf_counter() - start
        curve.append((elapsed, _auc(module, valid_inputs, valid[1])))
    return len(train[0]) * epochs / train_seconds, curve


def hepmass_loop(train, valid, batch_size: int, epochs: int, target: float | None,
                 precision: str = "fp32"):
    """Train with the hepmass loop one epoch at a time; stop at ``target`` AUC."""
    torch.manual_seed(0)
    module = multilayer_perceptron(27, (128, 64, 32))
    optimizer = default_optimizer(module, 1e-3)
    train_inputs = torch.from_numpy(train[0])
    train_labels = torch.from_numpy(train[1])
    valid_inputs = torch.from_numpy(valid[0])
    valid_labels = torch.from_numpy(valid[1])
    elapsed, rates, curve = 0.0, [], []
    for epoch in range(epochs):
        config = TrainingConfig(epochs=1, batch_size=batch_size, seed=epoch,
                                precision=precision)
        start = time.perf_counter()
        history = train_network(
            module, train_inputs, train_labels, valid_inputs, valid_labels,
            config, optimizer=optimizer,
        )
        elapsed += time.perf_counter() - start
        rates.append(history.rows_per_second)
        curve.append((elapsed, history.valid_auc[-1]))
        if target is not None and history.valid_auc[-1] >= target:
            break
    return float(np.median(rates)), curve


def time_to(curve: list[tuple[float, float]], target: float) -> float | None:
    for seconds, auc in curve:
        if auc >= target:
            return seconds
    return None


@click.command()
@click.option("--rows", default=300_000, show_default=True,
              help="Synthetic rows (80% train, 20% validation).")
@click.option("--data", type=click.Path(exists=True), default=None,
              help="HEPMASS file to use instead of synthetic rows.")
@click.option("--epochs", default=10, show_default=True,
              help="Epochs of the study-style loop.")
@click.option("--batch-sizes", default="256,512,1024,4096", show_default=True,
              help="Comma-separated batch sizes of the hepmass loop.")
@click.option("--bf16-batch-sizes", default="1024,16384", show_default=True,
              help="Batch sizes to run again with bfloat16 autocast ('' for none).")
@click.option("--inference-only", is_flag=True,
              help="Measure only the scoring rate.")
def main(rows: int, data: str | None, epochs: int, batch_sizes: str,
         bf16_batch_sizes: str, inference_only: bool) -> None:
    """Print the training and inference speed table."""
    logging.disable(logging.INFO)
    # Both loops run with the malloc settings that hepmass uses; the study
    # loop's batches are too small for them to matter.
    retain_freed_memory()
    events = read_events(data) if data else synthetic_events(rows, seed=0)
    train_events, valid_events = stratified_split(events, 0.2, seed=0)
    scaler = Standardizer.fit(train_events.features)
    train = (scaler.transform(train_events.features), train_events.labels)
    valid = (scaler.transform(valid_events.features), valid_events.labels)

    if inference_only:
        inference(train_events, valid_events)
        return
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    print(f"data: {len(train[0]):,} training rows, {len(valid[0]):,} validation rows")
    rate = MatmulRate()
    rate.measure()
    study_rate, study_curve = study_loop(train, valid, epochs)
    rate.measure()
    target = study_curve[-1][1] - 0.001
    print(f"study-style loop: {study_rate:,.0f} rows/s, AUC after {epochs} epochs "
          f"{study_curve[-1][1]:.4f} in {study_curve[-1][0]:.1f} s")

    study_time = time_to(study_curve, target)
    results = []
    runs = [("fp32", int(size)) for size in batch_sizes.split(",") if size]
    runs += [("bf16", int(size)) for size in bf16_batch_sizes.split(",") if size]
    for precision, size in runs:
        loop_rate, curve = hepmass_loop(train, valid, size, 4 * epochs, target,
                                        precision)
        rate.measure()
        results.append((precision, size, loop_rate, time_to(curve, target)))

    bound = rate.bound
    samples = ", ".join(f"{g:.0f}" for g in rate.samples)
    print(f"matrix product: {max(rate.samples):.0f} GFLOP/s (highest of {samples}) "
          f"-> bound {bound:,.0f} rows/s")
    print(f"\n{'loop':<22}{'rows/s':>12}{'x study':>9}{'/ bound':>9}"
          f"{'time to AUC ' + format(target, '.4f'):>22}{'speed-up':>10}")
    print(f"{'study (batch 64)':<22}{study_rate:>12,.0f}{1.0:>9.1f}"
          f"{study_rate / bound:>9.2f}{study_time:>21.1f}s{1.0:>10.1f}")
    for precision, size, loop_rate, reached in results:
        reached_text = f"{reached:>21.1f}s" if reached else f"{'not reached':>22}"
        speedup = f"{study_time / reached:>10.1f}" if reached else f"{'-':>10}"
        name = f"hepmass ({size}" + (", bf16)" if precision == "bf16" else ")")
        print(f"{name:<22}{loop_rate:>12,.0f}"
              f"{loop_rate / study_rate:>9.1f}{loop_rate / bound:>9.2f}"
              f"{reached_text}{speedup}")

    inference(train_events, valid_events)


def inference(train_events: Events, valid_events: Events, rows: int = 2_000_000) -> None:
    """Print the scoring rate of a trained baseline, best of 3 calls."""
    model = BaselineClassifier(training=TrainingConfig(epochs=1, batch_size=4096))
    model.fit(train_events, valid_events)
    copies = -(-rows // len(train_events))
    many = Events(np.tile(train_events.features, (copies, 1))[:rows],
                  np.tile(train_events.labels, copies)[:rows])
    model.predict(many.slice(0, 10_000))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        model.predict(many)
        best = min(best, time.perf_counter() - start)
    print(f"\ninference: {len(many) / best:,.0f} rows/s on {len(many):,} rows "
          "(best of 3, standardization included)")


if __name__ == "__main__":
    main()
