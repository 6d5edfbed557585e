"""The minibatch loop that trains every hepmass network.

Batches are slices of tensors shuffled once per epoch, never rows fetched one
by one through a DataLoader: on a CPU the per-row indexing of a DataLoader
costs far more than the arithmetic of a small network.
"""

from __future__ import annotations

import copy
import logging
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from tqdm.auto import tqdm

from hepmass.models.base import TrainingHistory
from hepmass.training.config import TrainingConfig

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
    logits = predict_logits(module, inputs)
    loss = nn.functional.binary_cross_entropy_with_logits(logits, labels).item()
    truth = labels.cpu().numpy()
    if len(np.unique(truth)) < 2:
        return loss, float("nan")
    return loss, float(roc_auc_score(truth, logits.float().cpu().numpy()))


def train_network(
    module: nn.Module,
    train_inputs: torch.Tensor,
    train_labels: torch.Tensor,
    valid_inputs: torch.Tensor,
    valid_labels: torch.Tensor,
    config: TrainingConfig,
    *,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    patience: int | None = None,
) -> TrainingHistory:
    """Train ``module`` with binary cross-entropy on logits.

    Args:
        module: maps a (batch, d) float tensor to (batch, 1) logits.
        train_inputs, train_labels: standardized inputs and 0/1 labels, on
            the device the module lives on.
        valid_inputs, valid_labels: the validation split, scored after each
            epoch for the loss and the ROC AUC.
        config: epochs, batch size, learning rate and seed.
        optimizer: defaults to Adam with ``config.learning_rate``.
        scheduler: stepped once after each epoch.
        patience: stop after this many epochs without a lower validation
            loss and restore the best weights; ``None`` trains every epoch.

    Returns:
        The per-epoch losses and AUCs, the wall time and the training rate.
    """
    torch.manual_seed(config.seed)
    generator = torch.Generator(device="cpu").manual_seed(config.seed)
    optimizer = optimizer or torch.optim.Adam(
        module.parameters(), lr=config.learning_rate
    )
    loss_function = nn.BCEWithLogitsLoss()
    n_rows = len(train_inputs)
    n_batches = -(-n_rows // config.batch_size)
    history = TrainingHistory()
    best_loss, best_state, stale_epochs = float("inf"), None, 0
    start = time.perf_counter()
    rows_seen = 0

    for epoch in range(1, config.epochs + 1):
        order = torch.randperm(n_rows, generator=generator).to(train_inputs.device)
        inputs, labels = train_inputs[order], train_labels[order]
        module.train()
        running = torch.zeros((), device=train_inputs.device)
        bar = tqdm(
            total=n_batches,
            desc=f"epoch {epoch}/{config.epochs}",
            unit="batch",
            leave=False,
            mininterval=0.5,
        )
        for step, first in enumerate(range(0, n_rows, config.batch_size), start=1):
            batch_inputs = inputs[first : first + config.batch_size]
            batch_labels = labels[first : first + config.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(module(batch_inputs).reshape(-1), batch_labels)
            loss.backward()
            optimizer.step()
            running += loss.detach() * len(batch_labels)
            if step % _POSTFIX_EVERY == 0:
                bar.set_postfix(loss=f"{running.item() / (first + len(batch_labels)):.4f}")
            bar.update()
        bar.close()
        rows_seen += n_rows
        if scheduler is not None:
            scheduler.step()

        train_loss = running.item() / n_rows
        valid_loss, valid_auc = _validate(module, valid_inputs, valid_labels)
        history.train_loss.append(train_loss)
        history.valid_loss.append(valid_loss)
        history.valid_auc.append(valid_auc)
        log.info(
            "epoch %d/%d: train loss %.4f, validation loss %.4f, validation AUC %.4f",
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
            log.info(
                "stopping early after epoch %d: validation loss has not improved "
                "for %d epochs; restoring epoch %d",
                epoch,
                patience,
                history.best_epoch,
            )
            break

    if best_state is not None:
        module.load_state_dict(best_state)
    history.seconds = time.perf_counter() - start
    history.rows_per_second = rows_seen / history.seconds if history.seconds else 0.0
    return history
