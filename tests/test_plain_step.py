"""Tests of the hand-written gradients against autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from hepmass.models.network import multilayer_perceptron
from hepmass.training import loop as loop_module
from hepmass.training.config import TrainingConfig
from hepmass.training.loop import train_network
from hepmass.training.plain_step import PlainStep


def batch(rows: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(rows, 27, generator=generator)
    labels = (inputs[:, 0] + torch.randn(rows, generator=generator) > 0).float()
    return inputs, labels


@pytest.mark.parametrize("rows", [1, 100, 512])
def test_plain_step_matches_autograd(rows: int) -> None:
    torch.manual_seed(0)
    module = multilayer_perceptron(27, (128, 64, 32))
    inputs, labels = batch(rows)
    loss = nn.functional.binary_cross_entropy_with_logits(
        module(inputs).reshape(-1), labels
    )
    loss.backward()
    expected = [parameter.grad.clone() for parameter in module.parameters()]

    step = PlainStep.of(module, max_rows=512)
    assert step is not None
    found_loss = step(inputs, labels)
    assert found_loss.item() == pytest.approx(loss.item(), rel=1e-6)
    for parameter, reference in zip(module.parameters(), expected):
        torch.testing.assert_close(parameter.grad, reference, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "module",
    [
        nn.Sequential(nn.Linear(27, 8), nn.Tanh(), nn.Linear(8, 1)),
        nn.Sequential(nn.Linear(27, 8), nn.ReLU(), nn.Linear(8, 1, bias=False)),
        nn.Sequential(nn.Linear(27, 8), nn.ReLU(), nn.Linear(8, 2)),
        nn.Sequential(nn.Linear(27, 8), nn.ReLU()),
        nn.Linear(27, 1),
    ],
)
def test_plain_step_rejects_other_networks(module: nn.Module) -> None:
    assert PlainStep.of(module, max_rows=16) is None


def train(monkeypatch: pytest.MonkeyPatch | None) -> tuple[nn.Module, list[float]]:
    if monkeypatch is not None:
        monkeypatch.setattr(loop_module.PlainStep, "of", classmethod(
            lambda cls, module, max_rows: None))
    torch.manual_seed(3)
    module = multilayer_perceptron(27, (32, 16))
    inputs, labels = batch(3000, seed=1)
    valid_inputs, valid_labels = batch(1000, seed=2)
    history = train_network(
        module, inputs, labels, valid_inputs, valid_labels,
        TrainingConfig(epochs=3, batch_size=256, seed=5),
    )
    return module, history.valid_loss


def test_plain_step_trains_like_autograd(monkeypatch: pytest.MonkeyPatch) -> None:
    plain_module, plain_losses = train(None)
    autograd_module, autograd_losses = train(monkeypatch)
    np.testing.assert_allclose(plain_losses, autograd_losses, rtol=1e-4)
    assert plain_losses[-1] < plain_losses[0]
    for plain, reference in zip(plain_module.parameters(),
                                autograd_module.parameters()):
        torch.testing.assert_close(plain, reference, rtol=1e-3, atol=1e-5)
