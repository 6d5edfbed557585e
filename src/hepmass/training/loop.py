"""The minibatch loop that trains every hepmass network.

Each epoch draws a random permutation of the training rows and gathers them,
a few hundred thousand at a time, into a staging buffer. Batches are slices
of that buffer. Rows are never fetched one by one through a DataLoader: on a
CPU the per-row indexing of a DataLoader costs far more than the arithmetic
of a small network. The gather also applies the standardization, so the
training rows are never copied whole, and memory grows by the staging
buffer alone.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time
from collections.abc import Callable

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from hepmass.allocator import retain_freed_memory
from hepmass.models.base import TrainingHistory
from hepmass.progress import bar_options
from hepmass.training.config import TrainingConfig
from hepmass.training.distributed import DistributedContext
from hepmass.training.plain_step import PlainStep

log = logging.getLogger(__name__)

_POSTFIX_EVERY = 50
"""Steps between updates of the running loss shown on the progress bar."""

_EVAL_ROWS = 8192
"""Rows per forward call when scoring; small blocks stay in the CPU cache."""

STAGED_ROWS = 1 << 18
"""Training rows gathered into the staging buffer at a time (28 MB at 27 inputs)."""


def predict_logits(module: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Return the logits of ``module`` on ``inputs``, evaluated in chunks."""
    was_training = module.training
    module.eval()
    with torch.inference_mode():
        parts = [
            module(inputs[start : start + _EVAL_ROWS]).reshape(-1)
            for start in range(0, len(inputs), _EVAL_ROWS)
        ]
    module.train(was_training)
    if not parts:
        return torch.empty(0, device=inputs.device)
    return torch.cat(parts)


def _validate(
    module: nn.Module, inputs: torch.Tensor, labels: torch.Tensor
) -> tuple[float, float]:
    logits = predict_logits(module, inputs).float()
    loss = nn.functional.binary_cross_entropy_with_logits(logits, labels).item()
    truth = labels.cpu().numpy()
    if len(np.unique(truth)) < 2:
        return loss, float("nan")
    return loss, float(roc_auc_score(truth, logits.cpu().numpy()))


def default_optimizer(module: nn.Module, learning_rate: float) -> torch.optim.Adam:
    """Return Adam with its fused kernel, which updates every tensor in one call.

    On a 2-core CPU the fused update made the baseline's steps about 10 to 25%
    faster than the per-tensor loop (``benchmarks/train_speed.py``). The
    arithmetic is the same Adam.
    """
    return torch.optim.Adam(module.parameters(), lr=learning_rate, fused=True)


def train_network(
    module: nn.Module,
    train_inputs: torch.Tensor,
    train_labels: torch.Tensor,
    valid_inputs: torch.Tensor,
    valid_labels: torch.Tensor,
    config: TrainingConfig,
    *,
    transform: Callable[[torch.Tensor], None] | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    patience: int | None = None,
    distributed: DistributedContext | None = None,
) -> TrainingHistory:
    """Train ``module`` with binary cross-entropy on logits.

    Args:
        module: maps a (batch, d) float tensor to (batch, 1) logits.
        train_inputs, train_labels: float32 tensors of shape (n, d) and (n,)
            on the module's device; they are read and never changed.
        valid_inputs, valid_labels: the validation split as the module takes
            it (already transformed), scored after each epoch for the loss
            and the ROC AUC.
        config: epochs, batch size, learning rate, seed and precision.
        transform: applied in place to each staged block of training inputs,
            for example the standardization; ``None`` uses them as they are.
        optimizer: defaults to :func:`default_optimizer`.
        scheduler: stepped once after each epoch.
        patience: stop after this many epochs without a lower validation
            loss and restore the best weights; ``None`` trains every epoch.
        distributed: this process's place in a data-parallel job; the
            training tensors then hold this rank's shard, and each rank takes
            ``batch_size / world_size`` rows a step so that the gradient
            averaged over ranks matches one process's batch.

    Returns:
        The per-epoch losses and AUCs, the wall time and the training rate
        (rows per second of the gathers and optimizer steps, over all ranks).
    """
    retain_freed_memory()
    torch.manual_seed(config.seed)
    rank = distributed.rank if distributed else 0
    world_size = distributed.world_size if distributed else 1
    rng = np.random.default_rng([config.seed, rank])
    optimizer = optimizer or default_optimizer(module, config.learning_rate)
    model = DistributedDataParallel(module) if distributed else module
    autocast = (
        torch.autocast(train_inputs.device.type, dtype=torch.bfloat16)
        if config.precision == "bf16"
        else contextlib.nullcontext()
    )
    loss_function = nn.BCEWithLogitsLoss()
    batch_size = max(1, config.batch_size // world_size)
    n_rows = len(train_inputs)
    n_batches = -(-n_rows // batch_size)
    block_rows = min(n_rows, max(1, STAGED_ROWS // batch_size) * batch_size)
    staged_inputs = train_inputs.new_empty((block_rows, train_inputs.shape[1]))
    staged_labels = train_labels.new_empty(block_rows)
    # Plain ReLU stacks get hand-written gradients; autocast and DDP need
    # autograd.
    plain_step = (
        PlainStep.of(module, min(batch_size, n_rows))
        if distributed is None and config.precision == "fp32"
        else None
    )
    history = TrainingHistory()
    best_loss, best_state, stale_epochs = float("inf"), None, 0
    start = time.perf_counter()
    step_seconds = 0.0

    for epoch in range(1, config.epochs + 1):
        order = torch.from_numpy(rng.permutation(n_rows)).to(train_inputs.device)
        model.train()
        running = torch.zeros((), device=train_inputs.device)
        # Ranks other than 0 draw no bar; rank 0 leaves ``disable`` unset so
        # that tqdm's own TQDM_DISABLE environment variable still applies.
        hidden = {"disable": True} if rank != 0 else bar_options()
        bar = tqdm(
            total=n_batches,
            desc=f"epoch {epoch}/{config.epochs}",
            unit="batch",
            leave=False,
            mininterval=0.5,
            **hidden,
        )
        epoch_start = time.perf_counter()
        step = 0
        for block in range(0, n_rows, block_rows):
            rows = order[block : block + block_rows]
            inputs = staged_inputs[: len(rows)]
            labels = staged_labels[: len(rows)]
            torch.index_select(train_inputs, 0, rows, out=inputs)
            torch.index_select(train_labels, 0, rows, out=labels)
            if transform is not None:
                transform(inputs)
            for first in range(0, len(rows), batch_size):
                batch_inputs = inputs[first : first + batch_size]
                batch_labels = labels[first : first + batch_size]
                if plain_step is not None:
                    loss = plain_step(batch_inputs, batch_labels)
                else:
                    optimizer.zero_grad(set_to_none=True)
                    with autocast:
                        logits = model(batch_inputs).reshape(-1)
                    loss = loss_function(logits.float(), batch_labels)
                    loss.backward()
                optimizer.step()
                running += loss.detach() * len(batch_labels)
                step += 1
                if step % _POSTFIX_EVERY == 0:
                    seen = block + first + len(batch_labels)
                    bar.set_postfix(loss=f"{running.item() / seen:.4f}")
                bar.update()
        train_loss = running.item() / n_rows
        step_seconds += time.perf_counter() - epoch_start
        bar.close()
        if scheduler is not None:
            scheduler.step()

        valid_loss, valid_auc = _validate(module, valid_inputs, valid_labels)
        history.train_loss.append(train_loss)
        history.valid_loss.append(valid_loss)
        history.valid_auc.append(valid_auc)
        if rank == 0:
            log.info(
                "epoch %d/%d: train loss %.4f, validation loss %.4f, "
                "validation AUC %.4f",
                epoch,
                config.epochs,
                train_loss,
                valid_loss,
                valid_auc,
            )

        if valid_loss < best_loss:
            best_loss, stale_epochs = valid_loss, 0
            history.best_epoch = epoch
            if patience is not None:
                best_state = copy.deepcopy(module.state_dict())
        else:
            stale_epochs += 1
        if patience is not None and stale_epochs >= patience:
            if rank == 0:
                log.info(
                    "stopping early after epoch %d: validation loss has not "
                    "improved for %d epochs; restoring epoch %d",
                    epoch,
                    patience,
                    history.best_epoch,
                )
            break

    if best_state is not None:
        module.load_state_dict(best_state)
    history.seconds = time.perf_counter() - start
    rows_trained = n_rows * world_size * len(history.train_loss)
    history.rows_per_second = rows_trained / step_seconds if step_seconds else 0.0
    return history
