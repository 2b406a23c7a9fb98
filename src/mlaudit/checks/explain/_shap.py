"""SHAP values of the audited model on rows of the data, with the shap library's explainers.

Three explainers, chosen by the model:

* **TreeExplainer** (exact, polynomial time) for tree ensembles: XGBoost and LightGBM boosters
  (native files or their scikit-learn wrappers) and scikit-learn's trees, forests and gradient
  boosting, also as a pipeline's last step.  It explains the model's raw output, the one the
  trees add up: log-odds (the margin) for a boosted classifier, class probabilities for a
  forest, the prediction for a regressor.  It runs without background data
  (``feature_perturbation="tree_path_dependent"``: the trees' own cover stands in for the data
  distribution), as ``shap.TreeExplainer(model)`` does.  For a pipeline, the steps before the
  trees transform the rows and the trees are explained on the transformed columns; a
  transformed column is credited to the input column it was made from (one-hot columns to
  their categorical column; ``get_feature_names_out`` names them) and the values of the
  columns of one input are summed (SHAP values add up, so the sum is that input's share of the
  output).  A transformed column with no input it can be traced to keeps its own name.
* **LinearExplainer** (exact) for binary classifiers and regressors of scikit-learn's
  ``linear_model``, also at a pipeline's end: the log-odds or the prediction, each value the
  coefficient times the distance from a seeded background's mean
  (:mod:`mlaudit.checks.explain._linear`), credited to the input columns as for trees.
* **PermutationExplainer** (model-agnostic) for every other model, ONNX graphs included, and as
  the fallback when TreeExplainer or LinearExplainer refuses the model or fails.  It runs the
  model's own prediction over the raw features: the positive class's probability (binary),
  every class's probability (multiclass) or the prediction (regression), with features masked
  by the values of a seeded background sample (``shap.maskers.Independent``).  Text and
  categorical features are coded as numbers for the explainer (each code is one level seen in
  the rows) and decoded back before the model sees them, so the model reads the values it was
  trained on.  Each
  permutation costs ``2 × features + 1`` model calls on ``background`` rows per explained row.

Either way the values are checked for **additivity**: the base value plus a row's SHAP values
must equal the model's own output for the row in the same space (computed by the model's
library, not by shap): the margin for boosters (``raw_score``, ``output_margin``,
``decision_function``), the probability or prediction otherwise.  This is how SHAP values are
defined, and the failure shap users report most often.

The permutation explainer seeds numpy's global generator (shap's own API); the explainer runs
under a lock and restores the generator's state afterwards, so checks running side by side are
neither disturbed nor disturbing.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.checks._model_sample import frame_batch
from mlaudit.checks.explain._encoded import group_columns, names_out, trace_columns
from mlaudit.checks.explain._linear import linear_estimator, linear_values
from mlaudit.errors import ModelError
from mlaudit.models import Model

if TYPE_CHECKING:
    import pandas as pd
    import shap
    import xgboost
else:  # imported on first use (mlaudit._lazy)
    pd = lazy_import("pandas")
    shap = lazy_import("shap", extra="explain")
    xgboost = lazy_import("xgboost", extra="models")

__all__ = ["ShapExplanation", "explain", "tree_estimator"]

Tick = Callable[[int], None]

_TREE_MODULES = ("sklearn.ensemble", "sklearn.tree", "lightgbm", "xgboost")
_TREE_ROWS = 1_000
"""Rows TreeExplainer explains per call (a step of the progress bar)."""
_AGNOSTIC_ROWS = 10
"""Rows the permutation explainer explains per call (a step of the progress bar)."""
_GLOBAL_RANDOM = threading.Lock()


@dataclass(frozen=True)
class ShapExplanation:
    """SHAP values of some rows, and how they were obtained."""

    values: np.ndarray
    """``(rows, features, outputs)``: each row's SHAP value per feature and output."""
    base: np.ndarray
    """``(outputs,)``: the expected value (what the output is before any feature is known)."""
    model_output: np.ndarray
    """``(rows, outputs)``: the model's own output for each row, in :attr:`space`."""
    features: list[str]
    """The explained features (input columns, or transformed columns that trace to none)."""
    encoded: dict[str, list[str]]
    """For a pipeline explained after its transforms: each feature's transformed columns."""
    outputs: list[str]
    """What each output is (``class 1``, a class's name, ``prediction``)."""
    explainer: str
    """``TreeExplainer``, ``LinearExplainer`` or ``PermutationExplainer``."""
    why: str
    """Why this explainer, in words."""
    space: str
    """The output space: ``log-odds``, ``raw margin``, ``probability`` or ``prediction``."""
    fallback: str | None = None
    """Why the preferred explainer (TreeExplainer, LinearExplainer) was not used, when it was
    not."""

    @property
    def additivity_errors(self) -> np.ndarray:
        """``(rows, outputs)``: |base + sum of the row's SHAP values - the model's output|."""
        total = self.base[None, :] + self.values.sum(axis=1)
        out: np.ndarray = np.abs(total - self.model_output)
        return out

    @property
    def mean_abs(self) -> np.ndarray:
        """``(features,)``: mean |SHAP| over the rows, summed over the outputs."""
        out: np.ndarray = np.abs(self.values).mean(axis=0).sum(axis=1)
        return out


def tree_estimator(model: Model) -> tuple[Any, Any] | None:
    """(the tree model TreeExplainer reads, the pipeline's transforms or None), or None when
    the model is not a tree ensemble of the supported libraries."""
    booster = getattr(model, "booster", None)
    if booster is not None and model.info.format in ("lightgbm", "xgboost"):
        return booster, None
    estimator = getattr(model, "estimator", None)
    if estimator is None:
        return None
    steps = getattr(estimator, "steps", None)
    final, transforms = (steps[-1][1], estimator[:-1]) if steps else (estimator, None)
    if not type(final).__module__.startswith(_TREE_MODULES):
        return None
    # scikit-learn wrappers of the boosters: their booster gives the margin TreeExplainer uses
    if hasattr(final, "booster_"):
        final = final.booster_
    elif callable(getattr(final, "get_booster", None)):
        final = final.get_booster()
    return final, transforms


def explain(
    model: Model,
    frame: pl.DataFrame,
    reference: pl.DataFrame,
    *,
    background: int,
    permutations: int,
    seed: int,
    tick: Tick,
    agnostic_rows: int | None = None,
) -> ShapExplanation:
    """SHAP values of ``frame``'s rows (their :attr:`Model.features` columns); the model-agnostic
    explainer explains only its first ``agnostic_rows`` rows (all when None).

    ``reference`` holds the rows the permutation explainer's background is drawn from
    (``background`` of them, seeded); ``permutations`` is its number of feature orderings per
    row.  ``tick(rows)`` is called as rows are explained.

    Raises
    ------
    ModelError
        The model cannot predict the rows, or gives no probabilities to explain.
    """
    tree = tree_estimator(model)
    linear = linear_estimator(model) if tree is None else None
    exact: tuple[str, Callable[[], ShapExplanation]] | None = None
    if tree is not None:
        exact = ("TreeExplainer", lambda: _tree(model, frame, tree, tick))
    elif linear is not None:
        exact = ("LinearExplainer", lambda: _linear(model, frame, reference, linear, background,
                                                    seed, tick))  # fmt: skip
    fallback = None
    if exact is not None:
        name, run = exact
        try:
            return run()
        except ModelError:
            raise
        except Exception as exc:  # shap's or the library's own error, whatever its type
            fallback = (
                f"{name} could not explain the model ({model.info.model_type}): "
                f"{type(exc).__name__}: {_first_line(exc)}"
            )
    why = (
        "the model is neither a tree ensemble TreeExplainer reads (XGBoost, LightGBM, "
        "scikit-learn trees, forests or boosting) nor a linear model"
        if fallback is None
        else f"{fallback.split(' could', 1)[0]} failed (see the fallback reason)"
    )
    if model.info.format == "onnx":
        why = "an ONNX graph is explained through its predictions"
    rows = frame.head(agnostic_rows) if agnostic_rows is not None else frame
    out = _agnostic(
        model,
        rows,
        reference,
        background=background,
        permutations=permutations,
        seed=seed,
        tick=tick,
    )
    return ShapExplanation(**{**out, "why": f"model-agnostic: {why}", "fallback": fallback})


def _linear(
    model: Model,
    frame: pl.DataFrame,
    reference: pl.DataFrame,
    linear: tuple[Any, Any],
    background: int,
    seed: int,
    tick: Tick,
) -> ShapExplanation:
    got = linear_values(model, frame, reference, linear, background=background, seed=seed)
    tick(frame.height)
    return ShapExplanation(**got, outputs=_output_names(model, 1))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else "")[:300]


# -- TreeExplainer ---------------------------------------------------------------------------


def _tree(model: Model, frame: pl.DataFrame, tree: tuple[Any, Any], tick: Tick) -> ShapExplanation:
    final, transforms = tree
    features = list(model.features)
    batch = frame_batch(frame, features)
    raw, names, encoded = _tree_input(model, batch, transforms, final)
    explainer = shap.TreeExplainer(final)
    parts = []
    for start in range(0, _rows(raw), _TREE_ROWS):
        part = _take(raw, start, start + _TREE_ROWS)
        with warnings.catch_warnings():  # shap's note that LightGBM's output format changed
            warnings.simplefilter("ignore", UserWarning)
            values_part = explainer.shap_values(part, check_additivity=False)
        parts.append(_three(values_part))
        tick(_rows(part))
    values = np.concatenate(parts, axis=0)
    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
    output, space = _tree_output(model, final, raw)
    if values.shape[2] == 2 and model.task == "binary":  # a forest's two probabilities
        values, base = values[:, :, 1:], base[1:]
    if output.shape[1] != values.shape[2]:
        raise ValueError(
            f"TreeExplainer gave {values.shape[2]} output(s), the model {output.shape[1]}"
        )
    grouped, labels = group_columns(values, names, encoded)
    how = " on the columns its preprocessing steps make" if transforms is not None else ""
    return ShapExplanation(
        values=grouped,
        base=base,
        model_output=output,
        features=labels,
        encoded={k: v for k, v in encoded.items() if v != [k]},
        outputs=_output_names(model, values.shape[2]),
        explainer="TreeExplainer",
        why=(
            f"exact SHAP values of the tree ensemble ({type(final).__name__}){how}, "
            "without background data (tree_path_dependent)"
        ),
        space=space,
    )


def _tree_input(
    model: Model, batch: Any, transforms: Any, final: Any
) -> tuple[Any, list[str], dict[str, list[str]]]:
    """(the rows as the trees read them, their column names, each feature's columns)."""
    features = list(model.features)
    fmt = model.info.format
    if fmt == "lightgbm":
        # the adapter's frame: text columns as the categories the booster stored
        to_frame = getattr(model, "_categorical", None)
        raw = to_frame(batch) if callable(to_frame) else batch.to_pandas()
    elif fmt == "xgboost":
        raw = xgboost.DMatrix(_categories(batch.to_pandas()), enable_categorical=True)
    elif transforms is None:
        raw = batch.to_pandas()
    else:
        raw = transforms.transform(batch.to_pandas())
        if hasattr(raw, "toarray"):  # sparse one-hot columns
            raw = raw.toarray()
        names = names_out(transforms, _columns(raw))
        if _is_xgboost(final) and not hasattr(raw, "columns"):
            raw = xgboost.DMatrix(raw, feature_names=final.feature_names)
        return raw, names, trace_columns(names, features)
    if _is_xgboost(final) and fmt != "xgboost":
        raw = xgboost.DMatrix(_categories(raw), enable_categorical=True)
    return raw, features, {f: [f] for f in features}


def _categories(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name].dtype):
            frame[name] = frame[name].astype("category")
    return frame


def _is_xgboost(final: Any) -> bool:
    return type(final).__module__.startswith("xgboost")


def _columns(raw: Any) -> int:
    return int(raw.shape[1])


def _rows(raw: Any) -> int:
    return int(raw.num_row()) if hasattr(raw, "num_row") else int(raw.shape[0])


def _take(raw: Any, start: int, stop: int) -> Any:
    if hasattr(raw, "slice"):  # an XGBoost DMatrix
        return raw.slice(list(range(start, min(stop, _rows(raw)))))
    if hasattr(raw, "iloc"):
        return raw.iloc[start:stop]
    return raw[start:stop]


def _three(values: Any) -> np.ndarray:
    """shap's values as ``(rows, features, outputs)``."""
    if isinstance(values, list):  # one array per output (older shap, some models)
        values = np.stack(values, axis=-1)
    out = np.asarray(values, dtype=np.float64)
    return out[:, :, None] if out.ndim == 2 else out


def _tree_output(model: Model, final: Any, raw: Any) -> tuple[np.ndarray, str]:
    """The model's own raw output (what TreeExplainer explains) and its space's name."""
    kind = type(final).__module__
    if kind.startswith("lightgbm"):
        out = final.predict(raw, raw_score=True)
        space = "raw margin" if model.task == "regression" else "log-odds"
    elif kind.startswith("xgboost"):
        out = final.predict(raw, output_margin=True)
        space = "raw margin" if model.task == "regression" else "log-odds"
    elif model.task == "regression":
        out, space = final.predict(raw), "prediction"
    elif callable(getattr(final, "decision_function", None)):
        out, space = final.decision_function(raw), "log-odds"
    else:
        out, space = final.predict_proba(raw), "probability"
        if model.task == "binary":
            out = out[:, 1:]
    out = np.asarray(out, dtype=np.float64)
    if model.task == "regression" and space == "raw margin":
        space = "prediction" if _identity_link(final) else space
    return (out[:, None] if out.ndim == 1 else out), space


def _identity_link(booster: Any) -> bool:
    """Whether a regression booster's margin is its prediction (squared or absolute error)."""
    params = getattr(booster, "params", None)
    if isinstance(params, dict) and "objective" in params:
        return str(params["objective"]).split()[0] in ("regression", "regression_l1", "l2", "l1")
    return False


def _output_names(model: Model, k: int) -> list[str]:
    classes = list(model.info.classes)
    if model.task == "regression":
        return ["prediction"]
    if k == 1:
        return [f"class {classes[-1]}" if classes else "positive class"]
    return [f"class {c}" for c in classes[:k]] if len(classes) >= k else [str(i) for i in range(k)]


# -- PermutationExplainer ----------------------------------------------------------------------


class _Codec:
    """The feature columns as numbers for the explainer, and back to their own types.

    Numeric and boolean columns are their values (missing: NaN); other columns are codes of
    their levels as seen in the rows given (missing: NaN), decoded to the same levels.
    """

    def __init__(self, frame: pl.DataFrame, features: list[str]) -> None:
        self.features = features
        self.dtypes = {f: frame[f].dtype for f in features}
        self.levels = {
            f: frame[f].drop_nulls().unique().sort()
            for f in features
            if not (frame[f].dtype.is_numeric() or frame[f].dtype == pl.Boolean)
        }

    def encode(self, frame: pl.DataFrame) -> np.ndarray:
        """``frame``'s features as a float matrix."""
        columns = []
        for f in self.features:
            column = frame[f]
            if f in self.levels:
                codes = _codes(column.cast(self.levels[f].dtype), self.levels[f])
                columns.append(codes.cast(pl.Float64).fill_null(np.nan).to_numpy())
            else:
                values = column.cast(pl.Float64).fill_null(np.nan).to_numpy()
                columns.append(values)
        return np.column_stack(columns).astype(np.float64)

    def decode(self, x: np.ndarray) -> pl.DataFrame:
        """The matrix back as the model's columns, in their types."""
        out = {}
        for j, f in enumerate(self.features):
            column = pl.Series(f, x[:, j]).fill_nan(None)
            if f in self.levels:
                out[f] = self.levels[f].gather(column.cast(pl.Int64)).alias(f)
            elif self.dtypes[f] == pl.Boolean:
                out[f] = (column > 0.5).alias(f)
            elif self.dtypes[f].is_integer():
                out[f] = column.round(0).cast(self.dtypes[f], strict=False)
            else:
                out[f] = column.cast(self.dtypes[f])
        return pl.DataFrame(out)


def _codes(column: pl.Series, levels: pl.Series) -> pl.Series:
    """Each value's position in ``levels`` (distinct), null when absent or null."""
    lookup = pl.DataFrame({"v": levels, "code": pl.int_range(levels.len(), eager=True)})
    joined = pl.DataFrame({"v": column}).join(lookup, on="v", how="left", maintain_order="left")
    return joined["code"]


def _agnostic(
    model: Model,
    frame: pl.DataFrame,
    reference: pl.DataFrame,
    *,
    background: int,
    permutations: int,
    seed: int,
    tick: Tick,
) -> dict[str, Any]:
    features = list(model.features)
    codec = _Codec(pl.concat([frame.select(features), reference.select(features)]), features)
    predict = _prediction(model, codec)
    rng = np.random.default_rng(seed)
    n_bg = min(background, reference.height)
    picked = np.sort(rng.choice(reference.height, n_bg, replace=False))
    back = codec.encode(reference[picked])
    x = codec.encode(frame)
    output = predict(x)  # the model's own output on the rows (also checks it can predict)
    evals = permutations * 2 * len(features) + 1
    masker = shap.maskers.Independent(back, max_samples=max(n_bg, 1))
    parts, bases = [], []
    with _GLOBAL_RANDOM:
        state = np.random.get_state()
        try:
            explainer = shap.PermutationExplainer(predict, masker, seed=seed % 2**32)
            for start in range(0, x.shape[0], _AGNOSTIC_ROWS):
                got = explainer(x[start : start + _AGNOSTIC_ROWS], max_evals=evals, silent=True)
                parts.append(_three(got.values))
                base = np.asarray(got.base_values, dtype=np.float64)
                bases.append(base[:, None] if base.ndim == 1 else base)
                tick(min(_AGNOSTIC_ROWS, x.shape[0] - start))
        finally:
            np.random.set_state(state)
    values = np.concatenate(parts, axis=0)
    k = values.shape[2]
    return {
        "values": values,
        "base": np.concatenate(bases, axis=0).mean(axis=0),
        "model_output": output if output.ndim == 2 else output[:, None],
        "features": features,
        "encoded": {},
        "outputs": _output_names(model, k),
        "explainer": "PermutationExplainer",
        "space": "prediction" if model.task == "regression" else "probability",
    }


def _prediction(model: Model, codec: _Codec) -> Callable[[np.ndarray], np.ndarray]:
    """The function the permutation explainer explains: coded rows → the model's output."""
    features = codec.features

    def predict(x: np.ndarray) -> np.ndarray:
        got = model.predict_batch(frame_batch(codec.decode(x), features))
        if model.task == "regression":
            return np.asarray(got.label, dtype=np.float64)
        if got.proba is None:
            raise ModelError(
                f"the classifier ({model.info.model_type}) gives no class probabilities, and "
                "a model-agnostic explanation needs a continuous output",
                fix="give a model with predict_proba (or an ONNX graph with probabilities)",
            )
        return got.proba[:, 1] if model.task == "binary" else got.proba

    return predict
