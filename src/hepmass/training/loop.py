"""The minibatch loop that trains every hepmass network.

Batches are slices of a table shuffled in place once per epoch, never rows
fetched one by one through a DataLoader: on a CPU the per-row indexing of a
DataLoader costs far more than the arithmetic of a small network. The table
holds the inputs and, in its last column, the labels, so one shuffle keeps
them aligned and no second copy of the training data is needed.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from hepmass.models.base import TrainingHistory
from hepmass.training.config import TrainingConfig
from hepmass.training.distributed import DistributedContext

log = logging.getLogger(__name__)

_POSTFIX_EVERY = 50
"""Steps between updates of the running loss shown on the progress bar."""

_EVAL_ROWS = 1 << 16


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


def _shuffle_rows(table: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Shuffle the rows of ``table``: in place on the CPU, by a copy on a GPU."""
    if table.device.type == "cpu":
        rng.shuffle(table.numpy(), axis=0)
        return table
    order = torch.from_numpy(rng.permutation(len(table))).to(table.device)
    return table[order]


def train_network(
    module: nn.Module,
    train_inputs: torch.Tensor,
    train_labels: torch.Tensor,
    valid_inputs: torch.Tensor,
    valid_labels: torch.Tensor,
    config: TrainingConfig,
    **options,
) -> TrainingHistory:
    """Train ``module`` on separate input and label tensors.

    Joins them into one table (a copy) and calls :func:`train_on_table`,
    which takes the same keyword options.
    """
    table = torch.cat(
        [train_inputs, train_labels.reshape(-1, 1).to(train_inputs.dtype)], dim=1
    )
    return train_on_table(module, table, valid_inputs, valid_labels, config, **options)


def train_on_table(
    module: nn.Module,
    table: torch.Tensor,
    valid_inputs: torch.Tensor,
    valid_labels: torch.Tensor,
    config: TrainingConfig,
    *,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    patience: int | None = None,
    distributed: DistributedContext | None = None,
) -> TrainingHistory:
    """Train ``module`` with binary cross-entropy on logits.

    Args:
        module: maps a (batch, d) float tensor to (batch, 1) logits.
        table: float32 tensor of shape (n, d + 1): standardized inputs, then
            the 0/1 label. It is shuffled in place every epoch.
        valid_inputs, valid_labels: the validation split, scored after each
            epoch for the loss and the ROC AUC.
        config: epochs, batch size, learning rate, seed and precision.
        optimizer: defaults to Adam with ``config.learning_rate``.
        scheduler: stepped once after each epoch.
        patience: stop after this many epochs without a lower validation
            loss and restore the best weights; ``None`` trains every epoch.
        distributed: this process's place in a data-parallel job; the table
            then holds this rank's shard, and each rank takes
            ``batch_size / world_size`` rows a step so that the gradient
            averaged over ranks matches one process's batch.

    Returns:
        The per-epoch losses and AUCs, the wall time and the training rate
        (rows per second of the optimizer steps alone, over all ranks).
    """
    torch.manual_seed(config.seed)
    rank = distributed.rank if distributed else 0
    world_size = distributed.world_size if distributed else 1
    rng = np.random.default_rng([config.seed, rank])
    optimizer = optimizer or torch.optim.Adam(
        module.parameters(), lr=config.learning_rate
    )
    model = DistributedDataParallel(module) if distributed else module
    autocast = (
        torch.autocast(table.device.type, dtype=torch.bfloat16)
        if config.precision == "bf16"
        else contextlib.nullcontext()
    )
    loss_function = nn.BCEWithLogitsLoss()
    batch_size = max(1, config.batch_size // world_size)
    n_rows = len(table)
    n_batches = -(-n_rows // batch_size)
    history = TrainingHistory()
    best_loss, best_state, stale_epochs = float("inf"), None, 0
    start = time.perf_counter()
    step_seconds = 0.0

    for epoch in range(1, config.epochs + 1):
        table = _shuffle_rows(table, rng)
        model.train()
        running = torch.zeros((), device=table.device)
        bar = tqdm(
            total=n_batches,
            desc=f"epoch {epoch}/{config.epochs}",
            unit="batch",
            leave=False,
            mininterval=0.5,
            disable=rank != 0,
        )
        epoch_start = time.perf_counter()
        for step, first in enumerate(range(0, n_rows, batch_size), start=1):
            batch = table[first : first + batch_size]
            optimizer.zero_grad(set_to_none=True)
            with autocast:
                logits = model(batch[:, :-1]).reshape(-1)
            loss = loss_function(logits.float(), batch[:, -1])
            loss.backward()
            optimizer.step()
            running += loss.detach() * len(batch)
            if step % _POSTFIX_EVERY == 0:
                seen = first + len(batch)
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
