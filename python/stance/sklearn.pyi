from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from . import Model

class StanceClassifier(ClassifierMixin, BaseEstimator):
    language: str
    stem: bool
    stop_words: bool
    ngram_max: int
    char_ngrams: Union[Tuple[int, int], str, None]
    min_df: Union[int, float]
    max_df: Union[int, float]
    max_features: Optional[int]
    sublinear_tf: bool
    c: Optional[float]
    c_grid: Optional[Sequence[float]]
    cv: int
    class_weight: Optional[str]
    max_iter: int
    tol: float
    model_: Model
    classes_: np.ndarray
    def __init__(
        self,
        *,
        language: str = "english",
        stem: bool = True,
        stop_words: bool = False,
        ngram_max: int = 2,
        char_ngrams: Union[Tuple[int, int], str, None] = None,
        min_df: Union[int, float] = 2,
        max_df: Union[int, float] = 1.0,
        max_features: Optional[int] = None,
        sublinear_tf: bool = False,
        c: Optional[float] = None,
        c_grid: Optional[Sequence[float]] = None,
        cv: int = 5,
        class_weight: Optional[str] = None,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None: ...
    def fit(self, X: Any, y: Any) -> StanceClassifier: ...
    def predict_proba(self, X: Any) -> np.ndarray: ...
    def predict(self, X: Any) -> np.ndarray: ...
