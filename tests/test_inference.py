"""Tests of the fast CPU scoring against a plain forward pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from hepmass.models import inference
from hepmass.models.network import multilayer_perceptron
from hepmass.models.standardize import Standardizer


def reference_scores(module: nn.Module, scaler: Standardizer, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        logits = module.eval()(torch.from_numpy(scaler.transform(x)))
    return torch.sigmoid(logits.reshape(-1)).numpy()


@pytest.fixture
def data() -> tuple[np.ndarray, Standardizer]:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((10_001, 27)) * 3 + 1).astype(np.float32)
    return x, Standardizer.fit(x)


@pytest.mark.parametrize("rows", [0, 1, 4095, 4096, 10_001])
def test_inference_plain_stack_matches_forward_pass(data, rows: int) -> None:
    x, scaler = data
    torch.manual_seed(1)
    module = multilayer_perceptron(27, (128, 64, 32))
    assert inference._PlainStack.of(module) is not None
    scores = inference.score_on_cpu(module, scaler, x[:rows])
    assert scores.shape == (rows,)
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, reference_scores(module, scaler, x[:rows]),
                               rtol=0, atol=2e-6)


def test_inference_other_networks_use_the_module(data) -> None:
    x, scaler = data
    torch.manual_seed(2)
    module = nn.Sequential(nn.Linear(27, 16), nn.Tanh(), nn.Linear(16, 1))
    assert inference._PlainStack.of(module) is None
    scores = inference.score_on_cpu(module, scaler, x)
    np.testing.assert_allclose(scores, reference_scores(module, scaler, x),
                               rtol=0, atol=2e-6)


def test_inference_leaves_torch_threads_as_they_were(data) -> None:
    x, scaler = data
    before = torch.get_num_threads()
    inference.score_on_cpu(multilayer_perceptron(27, (8,)), scaler, x)
    assert torch.get_num_threads() == before
