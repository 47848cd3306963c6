"""A scikit-learn estimator on stance: raw texts in, topic labels out.

``StanceClassifier`` trains a topic-only stance model on (X texts, y labels),
so it replaces ``make_pipeline(TfidfVectorizer(...), LogisticRegression(...))``
in a Pipeline, cross_val_score, GridSearchCV or clone.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError as e:  # pragma: no cover
    raise ImportError("stance.sklearn needs scikit-learn (pip install scikit-learn)") from e

import pyarrow as pa

from . import Model, train


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF + multinomial logistic regression by stance's engine.

    Parameters are those of :func:`stance.train` (``c=None`` chooses C by
    cross-validation over ``c_grid``). ``classes_`` are sorted, as
    scikit-learn expects, and ``predict_proba`` columns follow them.
    """

    def __init__(
        self,
        *,
        language: str = "english",
        stem: bool = True,
        stop_words: bool = False,
        ngram_max: int = 2,
        char_ngrams: Optional[tuple] = None,
        min_df=2,
        max_df=1.0,
        max_features: Optional[int] = None,
        sublinear_tf: bool = False,
        c: Optional[float] = None,
        c_grid: Optional[Sequence[float]] = None,
        cv: int = 5,
        class_weight: Optional[str] = None,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ):
        self.language = language
        self.stem = stem
        self.stop_words = stop_words
        self.ngram_max = ngram_max
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.c = c
        self.c_grid = c_grid
        self.cv = cv
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y):
        """Trains on texts ``X`` with labels ``y``."""
        texts = [str(t) for t in _list(X)]
        labels = [str(v) for v in _list(y)]
        if len(texts) != len(labels):
            raise ValueError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        table = pa.table({"text": texts, "topic": labels})
        self.model_ = train(table, stance=None, **self.get_params())
        self.classes_ = np.array(sorted(set(labels)), dtype=object)
        order = {t: i for i, t in enumerate(self.model_.topics)}
        self._columns = np.array([order[c] for c in self.classes_], dtype=np.intp)
        return self

    def predict_proba(self, X):
        """Probabilities, one column per class of ``classes_``."""
        self._check()
        return self.model_.predict_proba(_list(X))[:, self._columns]

    def predict(self, X):
        """The most probable class of each text."""
        self._check()
        return self.model_.predict(_list(X))

    def _check(self):
        if not hasattr(self, "model_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this StanceClassifier is not fitted yet; call fit first")


def _list(values):
    if hasattr(values, "to_list"):
        return values.to_list()
    if isinstance(values, np.ndarray):
        return values.tolist()
    return list(values)
