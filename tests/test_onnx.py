"""ONNX export: ONNX Runtime and the native model give the same scores."""

from __future__ import annotations

import numpy as np
import pyarrow.csv as pa_csv
import pytest
from click.testing import CliRunner

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxmltools")

from hepmass.cli.main import main  # noqa: E402
from hepmass.errors import ModelError  # noqa: E402
from hepmass.models import create_model  # noqa: E402
from hepmass.models.onnx_export import OnnxScorer, export_onnx  # noqa: E402
from hepmass.sample import default_paths  # noqa: E402
from hepmass.training.config import TrainingConfig  # noqa: E402
from hepmass.workflow.datasets import load_splits  # noqa: E402

ONE_EPOCH = TrainingConfig(epochs=2, batch_size=128, seed=0)


@pytest.fixture(scope="module")
def splits():
    return load_splits(seed=0)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("baseline", {"training": ONE_EPOCH}),
        ("deep", {"depth": 2, "width": 32, "training": ONE_EPOCH}),
        ("parameterized", {"depth": 2, "width": 32, "training": ONE_EPOCH}),
        ("gbdt", {"max_trees": 60}),
        ("gbdt", {"max_trees": 60, "use_mass": True}),
    ],
)
def test_onnx_agrees_with_native(name, options, splits, tmp_path):
    model = create_model(name, **options)
    model.fit(splits.train, splits.valid)
    scorer = OnnxScorer(export_onnx(model, tmp_path / "model.onnx"))
    assert scorer.uses_mass == model.uses_mass
    np.testing.assert_allclose(
        scorer.predict(splits.test), model.predict(splits.test), rtol=0, atol=1e-5
    )


def test_export_rejects_models_without_graph(splits, tmp_path):
    model = create_model("logistic")
    model.fit(splits.train, splits.valid)
    with pytest.raises(ModelError, match="has no ONNX export"):
        export_onnx(model, tmp_path / "model.onnx")


def test_scorer_missing_file_rejected(tmp_path):
    with pytest.raises(ModelError, match="not found; write it with"):
        OnnxScorer(tmp_path / "model.onnx")


def test_predict_command_onnx_matches_native(tmp_path):
    runner = CliRunner()
    run_dir = tmp_path / "run"
    _, test_file = default_paths()
    result = runner.invoke(main, ["-q", "train", "--model", "gbdt", "--use-mass",
                                  "--out", str(run_dir)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["-q", "export", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / "model.onnx").is_file()

    outputs = {}
    for flag, name in (([], "native.csv"), (["--onnx"], "onnx.csv")):
        result = runner.invoke(main, ["-q", "predict", str(run_dir), "--input",
                                      str(test_file), "--output",
                                      str(tmp_path / name), *flag])
        assert result.exit_code == 0, result.output
        outputs[name] = pa_csv.read_csv(tmp_path / name)["score"].to_numpy()
    np.testing.assert_allclose(outputs["onnx.csv"], outputs["native.csv"], atol=1e-5)
