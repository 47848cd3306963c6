import os
from typing import Any, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa

__all__: list[str]

DEFAULT_MAX_MODEL_BYTES: int

class StanceError(Exception): ...
class DataError(StanceError): ...
class ModelError(StanceError): ...

class Model:
    # Models come from load, default or train; the constructor wraps the native model.
    def __init__(self, native: Any, path: Optional[str] = None) -> None: ...
    @staticmethod
    def load(path: Union[str, os.PathLike], *, max_model_bytes: int = ...) -> Model: ...
    @staticmethod
    def default() -> Model: ...
    def save(self, path: Union[str, os.PathLike]) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def topics(self) -> list[str]: ...
    @property
    def stance_labels(self) -> dict[str, list[str]]: ...
    def info(self) -> dict[str, Any]: ...
    def score(
        self,
        articles: Any,
        *,
        ids: Optional[Sequence[str]] = None,
        split: bool = True,
        min_confidence: Optional[float] = None,
        explain: int = 0,
        round: bool = False,
        rejects: bool = False,
    ) -> Union[pa.Table, Tuple[pa.Table, pa.Table]]: ...
    def predict_proba(self, texts: Any) -> np.ndarray: ...
    def predict(self, texts: Any, *, stance: bool = False) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]: ...
    def evaluate(self, data: Any, *, text: str = "text", topic: str = "topic", stance: str = "stance") -> dict[str, Any]: ...

def train(
    data: Any,
    *,
    text: str = "text",
    topic: str = "topic",
    stance: Optional[str] = "stance",
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
    favor_label: Optional[str] = None,
    against_label: Optional[str] = None,
    neutral_label: Optional[str] = None,
    verbose: bool = False,
) -> Model: ...

def report(
    statements: Any,
    *,
    by: Union[str, Sequence[str]] = (),
    period: Optional[Literal["day", "week", "month"]] = None,
    min_confidence: float = 0.5,
    examples: int = 3,
    model: Optional[Model] = None,
    top_terms: Optional[int] = None,
    format: Literal["json", "html", "md", "markdown", "csv", "table"] = "json",
) -> str: ...
