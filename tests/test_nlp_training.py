"""`painmap train`: deterministic, reads the corpus and the analysts' corrections."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Classification, Feedback
from nlp.classifier import Classifier
from nlp.model import PainModel
from nlp.training import (
    TRAIN_DIRS,
    V2_DIR,
    Params,
    analyst_examples,
    load_corpus,
    load_validation,
    model_version,
    read_labelled,
    train,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every tenth record of each corpus file: enough to train on in seconds."""
    root = tmp_path_factory.mktemp("corpus")
    for path in sorted(p for d in TRAIN_DIRS for p in d.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        (root / path.name).write_text("\n".join(lines[::10]) + "\n", encoding="utf-8")
    return root


def test_corpus_is_valid_and_large() -> None:
    examples = load_corpus()
    assert len(examples) >= 3000
    assert len({e.id for e in examples}) == len(examples)
    assert len({e.group for e in examples}) >= 8  # one group per writer
    realistic = [e for e in load_corpus(V2_DIR / "train") if e.categories]
    assert all({c for c, _, _ in e.evidence} == set(e.categories) for e in realistic)  # every code


def test_validation_is_by_other_writers_and_realistic() -> None:
    validation, train = load_validation(), load_corpus()
    assert len(validation) >= 600
    assert not {e.group for e in validation} & {e.group for e in train}
    assert not {e.text for e in validation} & {e.text for e in train}
    without = [e for e in validation if not e.categories]
    assert 0.40 <= len(without) / len(validation) <= 0.55  # the real texts: 47 %
    assert sum(e.polarity == "negative" for e in without) / len(without) >= 0.5  # real: 59 %
    lengths = sorted(len(e.text) for e in validation)
    assert 350 <= lengths[len(lengths) // 2] <= 550  # real median: 452 characters


@pytest.mark.slow
def test_training_is_deterministic(tmp_path: Path, small_corpus: Path) -> None:
    a, b = tmp_path / "a.joblib", tmp_path / "b.joblib"
    ra = train(a, small_corpus, None)
    rb = train(b, small_corpus, None)
    assert a.read_bytes() == b.read_bytes()
    assert ra.version == rb.version and ra.thresholds == rb.thresholds
    text = "Простояли в очереди три часа"
    first = Classifier(PainModel.load(a), mask=False).classify(text)
    assert first.scores == Classifier(PainModel.load(b), mask=False).classify(text).scores


def test_version_changes_with_the_data(tmp_path: Path, small_corpus: Path) -> None:
    examples = load_corpus(small_corpus)
    base = model_version(examples, Params())
    assert model_version(load_corpus(small_corpus), Params()) == base
    extra = {"id": "z-0001", "text": "Очередь огромная", "categories": ["queue"], "polarity": "negative"}
    (tmp_path / "z_extra.jsonl").write_text(json.dumps(extra, ensure_ascii=False) + "\n", encoding="utf-8")
    assert model_version(examples + read_labelled(tmp_path / "z_extra.jsonl"), Params()) != base
    assert model_version(examples, Params(C_text=1.0)) != base


@pytest.mark.slow
@pytest.mark.heavy
def test_retraining_reproduces_the_shipped_model(tmp_path: Path) -> None:
    """`painmap train` on the repository's corpus gives the model that ships in the package."""
    shipped = PainModel.load()
    report = train(tmp_path / "m.joblib")
    assert report.version == shipped.version
    texts = [e.text for e in load_corpus()]
    fresh = Classifier(PainModel.load(tmp_path / "m.joblib"), mask=False).classify_batch(texts)
    ours = Classifier(shipped, mask=False).classify_batch(texts)
    same = sum(a.categories == b.categories and a.polarity == b.polarity
               for a, b in zip(fresh, ours, strict=True))
    assert same / len(texts) >= 0.99


def test_analyst_corrections_are_training_data(sqlite_store: str, tmp_path: Path, small_corpus: Path) -> None:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", "ЗАГС")
        src = ensure_source(session, org, "pos")
        text = "Гардероб не работает, вещи девать некуда"
        labelled = Feedback(source_id=src.id, external_id="1", text=text,  # type: ignore[arg-type]
                            content_hash="x", analyst_labeled_at=datetime.now(UTC), polarity="negative",
                            polarity_origin="analyst")
        unlabelled = Feedback(source_id=src.id, external_id="2", text="Всё хорошо", content_hash="y")  # type: ignore[arg-type]
        session.add_all([labelled, unlabelled])
        session.flush()
        session.add(Classification(feedback_id=labelled.id, category="premises", origin="analyst"))  # type: ignore[arg-type]
        session.add(Classification(feedback_id=labelled.id, category="queue", origin="model"))  # type: ignore[arg-type]
    examples = analyst_examples()
    assert [(e.categories, e.polarity, e.group) for e in examples] == [(("premises",), "negative", "analyst")]
    report = train(tmp_path / "m.joblib", small_corpus, None, use_database=True)
    assert report.n_analyst == 1
    assert PainModel.load(tmp_path / "m.joblib").info["n_analyst"] == 1


def test_train_command(sqlite_store: str, tmp_path: Path, small_corpus: Path) -> None:
    out = tmp_path / "model.joblib"
    result = runner.invoke(app, ["train", "--corpus", str(small_corpus), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "micro-F1" in result.stdout
    assert "0 от аналитиков" in result.stdout


def test_shipped_model_matches_params() -> None:
    model = PainModel.load()
    assert model.info["params"] == Params().as_dict()
    assert model.info["n_corpus"] == len(load_corpus())


def test_shipped_model_figures_hold_on_the_validation_set() -> None:
    """The figures the shipped model records (and BENCHMARKS.md quotes) are what it does on
    the realistic validation set today, and they stay above the floor the issue sets."""
    from nlp.training import judge

    model = PainModel.load()
    figures = judge(model, load_validation())
    assert figures == model.info["validation"]
    assert figures["micro_f1"] >= 0.80 and figures["macro_f1"] >= 0.75
