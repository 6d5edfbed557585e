"""Multilayer perceptrons used by the network classifiers."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn


def multilayer_perceptron(n_inputs: int, hidden: Sequence[int]) -> nn.Sequential:
    """Build ``n_inputs -> hidden[0] -> ... -> 1`` with ReLU between layers.

    The output is a logit; the sigmoid is applied by the loss during training
    and by the classifier when it returns scores. The ReLUs work in place,
    which saves one activation buffer per layer and step.
    """
    layers: list[nn.Module] = []
    width = n_inputs
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU(inplace=True)]
        width = size
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def plain_linears(module: nn.Module) -> list[nn.Linear] | None:
    """Return the linear layers of a plain ``Linear (ReLU Linear)*`` stack.

    Returns ``None`` for any other module, including subclasses of
    ``nn.Sequential`` and linear layers without a bias. The fast scoring and
    the hand-written gradients handle exactly these stacks.
    """
    if type(module) is not nn.Sequential:
        return None
    layers = list(module)
    linears = layers[0::2]
    plain = (
        len(layers) % 2 == 1
        and all(type(layer) is nn.Linear and layer.bias is not None
                for layer in linears)
        and all(type(layer) is nn.ReLU for layer in layers[1::2])
    )
    return linears if plain else None
