"""The first clauses of a fused ranking put in order by a small learned model.

Reciprocal-rank fusion counts only where each retriever ranks a clause; how far apart the scores are
is lost (a clause the model finds much closer in meaning than the next, or one holding every word of
the question). The reranker reads those scores, relative to the best of the same question, and the
share of the question's words in the clause and in its headings, and was fitted on the project's
labelled tuning sets (`python -m eval.train_reranker`, which also reports it trained on all but one set and
tested on that one). It is a boosted ensemble of depth-2 trees, kept as plain arrays, so answering
needs neither scikit-learn nor a pickle.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RERANK_DEPTH = 10  # the first clauses of the fused ranking reordered (clause@1 on both tuning sets: 10 ≥ 5, 20)
MODEL_FILE = Path(__file__).with_name("reranker.json")
FEATURES = ("dense_gap", "lexical_ratio", "sentence_gap", "second_sentence_gap", "word_share", "heading_share",
            "log_length")


@dataclass(frozen=True)
class Candidate:
    """What the retrievers and the clause's own text say of one clause, for one question."""

    dense: float | None  # cosine of the question to the clause; None: not among dense retrieval's candidates
    lexical: float  # BM25 score (0: no word shared)
    sentence: float  # cosine of the question to the clause's closest sentence
    second_sentence: float  # … to its second closest (the closest, when it has one sentence)
    word_share: float  # IDF-weighted share of the question's words (or their full forms) in the clause's text
    heading_share: float  # the same share in its document's title and headings
    length: int  # characters


def feature_rows(candidates: list[Candidate], dense_floor: float) -> np.ndarray:
    """One row per candidate, each score relative to the best of this question's candidates (a model's cosines
    sit on its own scale; what separates clauses is the gap). dense_floor: the lowest cosine dense retrieval
    returned, an upper bound for a clause it did not return."""
    dense = [c.dense if c.dense is not None else dense_floor for c in candidates]
    best_dense = max(dense)
    best_lexical = max(c.lexical for c in candidates) or 1.0
    best_sentence = max(c.sentence for c in candidates)
    return np.array([[d - best_dense, c.lexical / best_lexical, c.sentence - best_sentence,
                      c.second_sentence - best_sentence, c.word_share, c.heading_share, math.log(max(c.length, 1))]
                     for c, d in zip(candidates, dense, strict=True)], dtype=np.float64)


@dataclass(frozen=True)
class Reranker:
    """A sum of regression trees (as scikit-learn's GradientBoostingClassifier fits them), one array per field."""

    feature: np.ndarray  # (trees, nodes): the feature a node splits on; -1 at a leaf
    threshold: np.ndarray  # (trees, nodes): go left when the feature ≤ this
    left: np.ndarray  # (trees, nodes): child indices
    right: np.ndarray
    value: np.ndarray  # (trees, nodes): a leaf's contribution, already scaled by the learning rate
    depth: int
    embedder: str  # the embedding model whose cosines it was fitted on

    def fits(self, embedder_name: str) -> bool:
        """Whether it may read this embedder's cosines: the model it was fitted on, in any form (a form's name adds
        a suffix: embeddinggemma-300m-bf16mm); another model's cosines sit on another scale."""
        return embedder_name.startswith(self.embedder)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Reranker:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on other features: {data['features']}")
        arrays = {name: np.array(data[name]) for name in ("feature", "threshold", "left", "right", "value")}
        return cls(**arrays, depth=int(data["depth"]), embedder=data["embedder"])

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "depth": self.depth, "embedder": self.embedder,
                **{name: getattr(self, name).tolist() for name in ("feature", "threshold", "left", "right", "value")}}

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Higher: more likely the clause that answers. Every tree walked for every row at once."""
        trees = np.arange(len(self.feature))[None, :]
        node = np.zeros((len(rows), len(self.feature)), dtype=np.int64)
        for _ in range(self.depth):
            feature = self.feature[trees, node]
            leaf = feature < 0
            goes_left = rows[np.arange(len(rows))[:, None], np.maximum(feature, 0)] <= self.threshold[trees, node]
            step = np.where(goes_left, self.left[trees, node], self.right[trees, node])
            node = np.where(leaf, node, step)
        return self.value[trees, node].sum(axis=1)
