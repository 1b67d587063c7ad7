"""The reranker: its trees score as scikit-learn fitted them, search reads them, and a named clause stays first."""

import json

import numpy as np
import pytest

from eval.train_reranker import exported, fit
from rag.search.rerank import FEATURES, MODEL_FILE, RERANK_DEPTH, Reranker
from tests.helpers import fake_answerer

CARE = "特困人员照料护理标准是多少"


def test_exported_trees_score_as_scikit_learn_fitted_them():
    rng = np.random.default_rng(0)
    rows = rng.random((400, len(FEATURES)))
    labels = (rows[:, 0] + 0.5 * rows[:, 2] + 0.3 * rng.random(400) > 1).astype(int)
    model = fit([(rows, labels)])
    ours, theirs = exported(model, "embeddinggemma-300m").scores(rows), model.decision_function(rows)
    # the same up to the constant every row shares (the prior), which orders nothing
    assert np.abs((ours - ours[0]) - (theirs - theirs[0])).max() < 1e-9


def test_the_bundled_model_reads_the_features_search_computes_with_the_model_it_was_fitted_on():
    model = Reranker.load()
    assert model.depth == 2 and model.feature.shape[0] == 200
    assert set(model.feature[model.feature >= 0].tolist()) <= set(range(len(FEATURES)))
    assert (model.fits("embeddinggemma-300m"), model.fits("embeddinggemma-300m-bf16mm"), model.fits("fake-hash-256")) == (
        True, True, False)


def test_a_model_fitted_on_other_features_is_refused(tmp_path):
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["features"] = ["dense_gap", "lexical_ratio"]
    path = tmp_path / "reranker.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="fitted on other features"):
        Reranker.load(path)


class Reversed:
    """Scores that turn the fused order upside down."""

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.arange(len(rows), dtype=float)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    retriever = fake_answerer(tmp_path_factory.mktemp("rerank"), ("许昌市人民政府公报-2024-02.txt",)).retriever
    assert retriever.reranker is None  # fitted on another embedder's cosines
    return retriever


def test_the_reranker_orders_the_first_clauses_of_the_fused_ranking(retriever):
    retriever.reranker = None
    fused = [h.chunk_id for h in retriever.search(CARE, k=RERANK_DEPTH + 5)]
    retriever.reranker = Reversed()
    reranked = [h.chunk_id for h in retriever.search(CARE, k=RERANK_DEPTH + 5)]
    assert reranked == fused[:RERANK_DEPTH][::-1] + fused[RERANK_DEPTH:]


def test_a_named_clause_stays_first_whatever_the_reranker_says(retriever):
    retriever.reranker = Reversed()
    hits = retriever.search("许政办〔2024〕3号 四、（二）3. 讲的是什么", k=5)
    assert (hits[0].metadata.doc_number, hits[0].metadata.clause_path) == ("许政办〔2024〕3号", "四、（二）3.")
