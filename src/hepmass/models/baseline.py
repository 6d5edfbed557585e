"""The study's network: 27 inputs -> 128 -> 64 -> 32 -> 1 with ReLU.

Trained with binary cross-entropy and Adam (learning rate 1e-3) for 10
epochs, as the original HEPMASS classification study describes it. The mass
column is left out of the inputs unless ``use_mass`` is set.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from hepmass.data.events import Events
from hepmass.errors import ModelError
from hepmass.models.base import (
    Classifier,
    TrainingHistory,
    read_model_record,
    write_model_record,
)
from hepmass.models.inference import score_on_cpu
from hepmass.models.inputs import input_matrix
from hepmass.models.network import multilayer_perceptron
from hepmass.models.standardize import Standardizer
from hepmass.training.config import TrainingConfig
from hepmass.training.device import inference_device, resolve_device, set_threads
from hepmass.training.distributed import (
    context_from_environment,
    initialize,
    shard_events,
)
from hepmass.training.loop import predict_logits, train_network

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"
BASELINE_HIDDEN = (128, 64, 32)


class NetworkClassifier(Classifier):
    """A multilayer perceptron on standardized inputs.

    Args:
        hidden: widths of the hidden layers.
        use_mass: append the hypothesis mass to the 27 features.
        training: epochs, batch size, learning rate, seed and device.
    """

    name: ClassVar[str] = "network"

    def __init__(
        self,
        hidden: tuple[int, ...] = BASELINE_HIDDEN,
        use_mass: bool = False,
        training: TrainingConfig | None = None,
    ) -> None:
        if not hidden or min(hidden) < 1:
            raise ModelError(f"hidden layer widths must be positive, got {hidden}")
        self.hidden = tuple(int(size) for size in hidden)
        self.use_mass = use_mass
        self.training = training or TrainingConfig()
        self.standardizer: Standardizer | None = None
        torch.manual_seed(self.training.seed)
        self.module = multilayer_perceptron(self.n_inputs, self.hidden)

    @property
    def n_inputs(self) -> int:
        return 27 + int(self.use_mass)

    @property
    def uses_mass(self) -> bool:
        return self.use_mass

    def _tensor(self, events: Events, device: torch.device) -> torch.Tensor:
        if self.standardizer is None:
            raise ModelError("the model has not been fitted or loaded")
        inputs = self.standardizer.transform(input_matrix(events, self.use_mass))
        return torch.from_numpy(inputs).to(device)

    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        """Fit the standardization and the network.

        Under ``torchrun`` every rank fits the standardization on the whole
        training split (so all ranks agree on it), then trains on its own
        shard of the rows with DistributedDataParallel.
        """
        self.check_events(train)
        set_threads(self.training.threads)
        device = resolve_device(self.training.device)
        context = context_from_environment()
        if context is not None:
            initialize(context, device)
        self.standardizer = Standardizer.fit(input_matrix(train, self.use_mass))
        if context is not None:
            train = shard_events(train, context)
        self.module.to(device)
        mean = torch.from_numpy(self.standardizer.mean).to(device)
        scale = torch.from_numpy(self.standardizer.scale).to(device)

        def standardize(block: torch.Tensor) -> None:
            block.sub_(mean).div_(scale)

        inputs = torch.from_numpy(input_matrix(train, self.use_mass))
        history = train_network(
            self.module,
            inputs.to(device),
            torch.from_numpy(train.labels).to(device),
            self._tensor(valid, device),
            torch.from_numpy(valid.labels).to(device),
            self.training,
            transform=standardize,
            distributed=context,
        )
        self.module.to("cpu")
        return history

    def predict(self, events: Events) -> np.ndarray:
        if self.standardizer is None:
            raise ModelError("the model has not been fitted or loaded")
        self.check_events(events)
        device = inference_device(self.training.device)
        if device.type == "cpu":
            self.module.to(device)
            inputs = input_matrix(events, self.use_mass)
            return score_on_cpu(self.module, self.standardizer, inputs)
        self.module.to(device)
        logits = predict_logits(self.module, self._tensor(events, device))
        return torch.sigmoid(logits.float()).cpu().numpy()

    def _record(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "hidden": list(self.hidden),
            "use_mass": self.use_mass,
            "n_inputs": self.n_inputs,
            "training": self.training.to_dict(),
        }

    def save(self, directory: Path) -> None:
        if self.standardizer is None:
            raise ModelError("cannot save a model that has not been fitted")
        directory = Path(directory)
        write_model_record(directory, self._record())
        tensors = {f"network.{k}": v.detach().cpu().contiguous()
                   for k, v in self.module.state_dict().items()}
        tensors["standardizer.mean"] = torch.from_numpy(self.standardizer.mean)
        tensors["standardizer.scale"] = torch.from_numpy(self.standardizer.scale)
        save_file(tensors, str(directory / WEIGHTS_FILE))
        log.debug("wrote %s", directory / WEIGHTS_FILE)

    @classmethod
    def load(cls, directory: Path) -> NetworkClassifier:
        directory = Path(directory)
        record = read_model_record(directory)
        model = cls(
            hidden=tuple(record["hidden"]),
            use_mass=bool(record["use_mass"]),
            training=TrainingConfig.from_dict(record["training"]),
        )
        weights_path = directory / WEIGHTS_FILE
        if not weights_path.is_file():
            raise ModelError(f"{weights_path} not found; the model directory is incomplete")
        tensors = load_file(str(weights_path))
        state = {k.removeprefix("network."): v for k, v in tensors.items()
                 if k.startswith("network.")}
        model.module.load_state_dict(state)
        model.standardizer = Standardizer(
            tensors["standardizer.mean"].numpy(), tensors["standardizer.scale"].numpy()
        )
        return model


class BaselineClassifier(NetworkClassifier):
    """The study's 27 -> 128 -> 64 -> 32 -> 1 ReLU network."""

    name: ClassVar[str] = "baseline"

    def __init__(
        self, use_mass: bool = False, training: TrainingConfig | None = None,
        hidden: tuple[int, ...] = BASELINE_HIDDEN,
    ) -> None:
        super().__init__(hidden=hidden, use_mass=use_mass, training=training)
