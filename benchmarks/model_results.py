"""Train every hepmass model on one simulated sample and write docs/results.md.

The sample is made first, with a recorded seed, for example:

    hepmass simulate --masses 500 750 1000 1250 1500 --signal-events 5000 \\
        --background-events 25000 --out benchmarks/data/sim_models \\
        --seed 20260 --workers 1 --no-mpi --test-fraction 0.3333

Then:

    python benchmarks/model_results.py --data benchmarks/data/sim_models

Every model goes through the same ``hepmass.workflow.steps.run`` as
``hepmass run``, so the numbers are those the command line would give.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.svm import SVC

from hepmass.cli.compare import format_table, run_row
from hepmass.data.events import Events
from hepmass.evaluation.per_mass import plot_per_mass
from hepmass.models import create_model
from hepmass.training.config import TrainingConfig
from hepmass.workflow.datasets import load_splits
from hepmass.workflow.interpolation import format_interpolation, run_interpolation_test
from hepmass.workflow.steps import run

log = logging.getLogger("model_results")

REPOSITORY = Path(__file__).resolve().parent.parent


def model_plan(epochs: int, depth: int, width: int) -> list[tuple[str, str, dict]]:
    """Return (run name, model name, options) for every model compared."""
    network = {"depth": depth, "width": width}
    return [
        ("logistic", "logistic", {}),
        ("baseline", "baseline", {"training": TrainingConfig(epochs=10)}),
        ("deep", "deep", {**network, "training": TrainingConfig(epochs=epochs)}),
        (
            "parameterized",
            "parameterized",
            {**network, "training": TrainingConfig(epochs=epochs)},
        ),
        ("gbdt", "gbdt", {}),
        ("gbdt_mass", "gbdt", {"use_mass": True}),
        ("svm", "svm", {"components": 1000}),
        ("autoencoder", "autoencoder", {"training": TrainingConfig(epochs=epochs)}),
        (
            "autoencoder_background",
            "autoencoder",
            {"background_only": True, "training": TrainingConfig(epochs=epochs)},
        ),
    ]


def machine() -> str:
    """Return the CPU model and core count, from lscpu where available."""
    try:
        lines = subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines
                     if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores visible ({platform.platform()})"


def exact_svm_check(splits, rows: int, seed: int) -> dict:
    """Compare an exact RBF SVC with the Nystroem SVM on ``rows`` training events.

    Both use gamma = 1/27 on standardized features and C = 1, and both are
    scored by AUC on the same test events.
    """
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(splits.train), size=rows, replace=False)
    train = splits.train.take(pick)
    test_pick = rng.choice(len(splits.test), size=min(5000, len(splits.test)),
                           replace=False)
    test = splits.test.take(test_pick)
    mean, scale = train.features.mean(0), train.features.std(0) + 1e-12

    start = time.perf_counter()
    exact = SVC(kernel="rbf", gamma=1 / 27, C=1.0)
    exact.fit((train.features - mean) / scale, train.labels)
    exact_seconds = time.perf_counter() - start
    exact_auc = roc_auc_score(
        test.labels, exact.decision_function((test.features - mean) / scale)
    )
    results = {"rows": rows, "exact_auc": float(exact_auc),
               "exact_seconds": exact_seconds,
               "exact_support_vectors": int(exact.n_support_.sum())}
    for components in (100, 300, 1000):
        start = time.perf_counter()
        approx = create_model("svm", components=min(components, rows // 2))
        approx.fit(train, splits.valid)
        results[f"nystroem_{components}_seconds"] = time.perf_counter() - start
        results[f"nystroem_{components}_auc"] = float(
            roc_auc_score(test.labels, approx.predict(test))
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="Folder made by hepmass simulate with --test-fraction.")
    parser.add_argument("--runs", type=Path, default=Path("runs/model_results"),
                        help="Folder for the run directories.")
    parser.add_argument("--epochs", type=int, default=20,
                        help="Maximum epochs of deep, parameterized, autoencoder.")
    parser.add_argument("--depth", type=int, default=3,
                        help="Residual blocks of deep and parameterized.")
    parser.add_argument("--width", type=int, default=128,
                        help="Units per block of deep and parameterized.")
    parser.add_argument("--output", type=Path, default=REPOSITORY / "docs/results.md")
    parser.add_argument("--svm-rows", type=int, default=2000,
                        help="Training events of the exact-SVM comparison.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    started = time.perf_counter()
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)

    splits = load_splits(args.data / "train.csv.gz", args.data / "test.csv.gz", seed=0)
    rows, per_mass = [], {}
    for run_name, model_name, options in model_plan(args.epochs, args.depth, args.width):
        run_dir, metrics = run(splits, model_name, args.runs / run_name, force=True,
                               model_options=options)
        rows.append(run_row(run_dir.path))
        if run_name in ("logistic", "baseline", "deep", "parameterized", "gbdt_mass"):
            per_mass[run_name] = metrics["per_mass"]
    parameterized_dir = args.runs / "parameterized"
    from hepmass.workflow.directory import RunDirectory

    interpolation = run_interpolation_test(
        splits, RunDirectory.open(parameterized_dir), "parameterized",
        {"depth": args.depth, "width": args.width,
         "training": TrainingConfig(epochs=args.epochs)},
        1000.0,
    )
    svm_check = exact_svm_check(splits, args.svm_rows, seed=0)
    plot_per_mass(per_mass, args.output.parent / "results_per_mass.png")
    seconds = time.perf_counter() - started

    table = format_table(rows)
    print(table)
    print(format_interpolation(interpolation))
    print(json.dumps(svm_check, indent=2))
    write_page(args, rows, interpolation, svm_check, splits, command, seconds)
    return 0


def write_page(args, rows, interpolation, svm_check, splits, command, seconds) -> None:
    """Write the Markdown results page."""
    by_run = {row["run"]: row for row in rows}
    baseline = by_run["baseline"]["auc"]
    best_name = max(("deep", "parameterized"), key=lambda n: by_run[n]["auc"])
    manifest = json.loads((args.data / "manifest.json").read_text())
    lines = [
        "# Model results",
        "",
        "Every model trained on the same simulated sample and evaluated on its test",
        "file by the code path of `hepmass run`. Made by `benchmarks/model_results.py`.",
        "",
        f"- Machine: {machine()}; other jobs shared the CPU, so times are rough.",
        f"- Command: `{command}`",
        f"- Time taken: {seconds / 60:.1f} minutes for all trainings and evaluations.",
        f"- Sample: `{manifest.get('command_line', '?')}`",
        f"  (seed {manifest.get('seed')}; {splits.description['n_train']:,} training,",
        f"  {splits.description['n_valid']:,} validation and "
        f"{splits.description['n_test']:,} test events).",
        "",
        "## AUC overall and per mass, training time, inference speed",
        "",
        format_table(rows, markdown=True),
        "",
        f"Against the baseline network's AUC ({baseline:.4f}), `deep` differs by "
        f"{by_run['deep']['auc'] - baseline:+.4f} and `parameterized` by "
        f"{by_run['parameterized']['auc'] - baseline:+.4f}; the best of the two "
        f"is `{best_name}` at {by_run[best_name]['auc']:.4f}.",
        "The overall AUC mixes the mass points; the per-mass columns compare signal at",
        "one mass with all background, and mass-input models score that background",
        "with the mass set to the point under test.",
        "",
        "![AUC and background rejection per mass](results_per_mass.png)",
        "",
        "## Interpolation: parameterized network without 1000 GeV",
        "",
        f"AUC at {interpolation['mass']:g} GeV, trained with it: "
        f"{interpolation['auc_with']:.4f}; trained without it: "
        f"{interpolation['auc_without']:.4f} "
        f"({interpolation['auc_without'] - interpolation['auc_with']:+.4f}).",
        "",
        "## Nystroem SVM against the exact kernel SVM",
        "",
        f"On {svm_check['rows']:,} training events (RBF, gamma = 1/27, C = 1), AUC on "
        "5,000 test events:",
        "",
        "| model | AUC | fit seconds |",
        "|---|---|---|",
        f"| exact SVC ({svm_check['exact_support_vectors']} support vectors) | "
        f"{svm_check['exact_auc']:.4f} | {svm_check['exact_seconds']:.1f} |",
    ]
    for components in (100, 300, 1000):
        lines.append(
            f"| Nystroem {components} + LinearSVC | "
            f"{svm_check[f'nystroem_{components}_auc']:.4f} | "
            f"{svm_check[f'nystroem_{components}_seconds']:.1f} |"
        )
    lines.append("")
    args.output.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
