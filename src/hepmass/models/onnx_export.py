"""Export of trained models to ONNX, and scoring with ONNX Runtime.

The exported graph takes the raw inputs, float32 of shape (n, 27), or
(n, 28) with the hypothesis mass as last column for a model that uses the
mass, and returns ``score``, float32 of shape (n,) in [0, 1]: the same
number ``Classifier.predict`` returns. Networks carry their standardization
and sigmoid inside the graph. The LightGBM trees are converted by
onnxmltools, and a Gather node picks the signal probability. ONNX export is
an optional dependency: ``pip install hepmass[onnx]``.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from hepmass.data.events import Events
from hepmass.errors import ModelError
from hepmass.models.base import Classifier
from hepmass.models.baseline import NetworkClassifier
from hepmass.models.gbdt import GradientBoostingClassifier
from hepmass.models.inputs import input_matrix

log = logging.getLogger(__name__)

INPUT_NAME = "inputs"
OUTPUT_NAME = "score"
OPSET = 17
TREE_OPSET = 15
"""Highest opset onnxmltools 1.16 converts LightGBM to."""


class _ScoringNetwork(nn.Module):
    """Standardization, the network and the sigmoid as one module."""

    def __init__(self, model: NetworkClassifier) -> None:
        super().__init__()
        assert model.standardizer is not None
        self.register_buffer("mean", torch.from_numpy(model.standardizer.mean))
        self.register_buffer("scale", torch.from_numpy(model.standardizer.scale))
        self.network = model.module

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        logits = self.network((inputs - self.mean) / self.scale)
        return torch.sigmoid(logits).reshape(-1)


def _import_onnx():
    try:
        import onnx
    except ImportError as error:
        raise ModelError(
            "ONNX export needs the onnx package; install it with "
            "'pip install hepmass[onnx]'"
        ) from error
    return onnx


def _network_graph(model: NetworkClassifier):
    onnx = _import_onnx()
    if model.standardizer is None:
        raise ModelError("cannot export a model that has not been fitted")
    scoring = _ScoringNetwork(model).eval()
    example = torch.zeros(2, model.n_inputs)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript-based exporter is deprecated in favour of the
        # dynamo one (PyTorch 2.9+), which would add onnxscript as a dependency.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            scoring,
            (example,),
            buffer,
            dynamo=False,
            opset_version=OPSET,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "events"}, OUTPUT_NAME: {0: "events"}},
        )
    return onnx.load_from_string(buffer.getvalue())


def _round_down_to_float32(threshold: float) -> float:
    rounded = np.float32(threshold)
    if float(rounded) > threshold:
        rounded = np.nextafter(rounded, np.float32(-np.inf))
    return float(rounded)


def _float32_thresholds(booster):
    """Return a copy of ``booster`` whose split thresholds are float32 values.

    LightGBM stores thresholds as doubles and sends a value left when it is
    at most the threshold; ONNX Runtime compares in float32. For a float32
    input x, ``x <= t`` is true exactly when ``x <= t32``, with t32 the
    largest float32 not above t, so rounding every threshold down to float32
    keeps the native scores unchanged and makes the two runtimes agree on
    events that sit between t and its nearest float32.
    """
    import lightgbm

    # The header's tree_sizes gives each tree's length in bytes, which the
    # rewrite changes; without it LightGBM parses the trees one after another.
    lines = [
        line
        for line in booster.model_to_string().splitlines()
        if not line.startswith("tree_sizes=")
    ]
    for index, line in enumerate(lines):
        if line.startswith("threshold="):
            values = line.removeprefix("threshold=").split()
            rounded = [repr(_round_down_to_float32(float(v))) for v in values]
            lines[index] = "threshold=" + " ".join(rounded)
    return lightgbm.Booster(model_str="\n".join(lines) + "\n")


def _tree_graph(model: GradientBoostingClassifier):
    onnx = _import_onnx()
    if model.booster is None:
        raise ModelError("cannot export a model that has not been fitted")
    try:
        from onnxmltools import convert_lightgbm
        from onnxmltools.convert.common.data_types import FloatTensorType
    except ImportError as error:
        raise ModelError(
            "exporting the gbdt model needs onnxmltools; install it with "
            "'pip install hepmass[onnx]'"
        ) from error
    graph_model = convert_lightgbm(
        _float32_thresholds(model.booster),
        initial_types=[(INPUT_NAME, FloatTensorType([None, model.n_inputs]))],
        zipmap=False,
        target_opset=TREE_OPSET,
    )
    graph = graph_model.graph
    probabilities = next(o.name for o in graph.output if o.name != "label")
    graph.initializer.append(
        onnx.helper.make_tensor("signal_column", onnx.TensorProto.INT64, [], [1])
    )
    graph.node.append(
        onnx.helper.make_node(
            "Gather", [probabilities, "signal_column"], [OUTPUT_NAME], axis=1
        )
    )
    del graph.output[:]
    graph.output.append(
        onnx.helper.make_tensor_value_info(
            OUTPUT_NAME, onnx.TensorProto.FLOAT, [None]
        )
    )
    return graph_model


def export_onnx(model: Classifier, path: Path) -> Path:
    """Write ``model`` as an ONNX graph to ``path`` and return the path.

    Raises ModelError for a model kind without an ONNX export.
    """
    onnx = _import_onnx()
    if isinstance(model, NetworkClassifier):
        graph_model = _network_graph(model)
    elif isinstance(model, GradientBoostingClassifier):
        graph_model = _tree_graph(model)
    else:
        raise ModelError(
            f"model {model.name!r} has no ONNX export; the networks (baseline, "
            "deep, parameterized) and gbdt have one"
        )
    onnx.helper.set_model_props(
        graph_model,
        {"hepmass.model": model.name, "hepmass.uses_mass": str(model.uses_mass)},
    )
    onnx.checker.check_model(graph_model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(graph_model, str(path))
    log.info("wrote the ONNX graph of model %r to %s", model.name, path)
    return path


class OnnxScorer:
    """Scores events with an exported graph through ONNX Runtime.

    Offers ``predict``, ``uses_mass`` and ``check_events`` like a
    Classifier, so the prediction step takes either.
    """

    def __init__(self, path: Path) -> None:
        try:
            import onnxruntime
        except ImportError as error:
            raise ModelError(
                "scoring with ONNX needs onnxruntime; install it with "
                "'pip install hepmass[onnx]'"
            ) from error
        path = Path(path)
        if not path.is_file():
            raise ModelError(
                f"{path} not found; write it with 'hepmass export RUN_DIR' (the "
                "networks and gbdt have an ONNX export), or score other models "
                "without --onnx"
            )
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        properties = self.session.get_modelmeta().custom_metadata_map
        if "hepmass.model" not in properties:
            raise ModelError(f"{path} was not written by 'hepmass export'")
        self.name = properties["hepmass.model"]
        self.uses_mass = properties["hepmass.uses_mass"] == "True"

    def check_events(self, events: Events) -> None:
        if self.uses_mass and events.mass is None:
            raise ModelError(
                f"the ONNX model {self.name!r} takes the mass as an input, but "
                "the events have no mass column"
            )

    def predict(self, events: Events) -> np.ndarray:
        self.check_events(events)
        inputs = np.ascontiguousarray(input_matrix(events, self.uses_mass))
        (scores,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: inputs})
        return scores.astype(np.float32).reshape(-1)
