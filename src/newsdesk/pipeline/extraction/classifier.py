"""The block classifier: gradient-boosted trees evaluated with numpy.

The trees are trained by ``bench/train_extract.py`` (scikit-learn, at training time only) and
shipped in ``_weights.py`` as constant data; evaluating them needs numpy alone. All trees are
walked together, one level per step, so a page costs a few dozen array operations.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .lexicon import text_tables


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary gradient-boosted trees as flat arrays (leaves point at themselves)."""

    feature: np.ndarray  # int: column tested at each node
    threshold: np.ndarray  # float: go left when value <= threshold
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # leaf values (0 at inner nodes)
    roots: np.ndarray  # index of each tree's root
    depth: int
    baseline: float
    children: np.ndarray = field(init=False, repr=False, compare=False)
    _feature32: np.ndarray = field(init=False, repr=False, compare=False)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class for each row of X (a classifier's trees)."""
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The trees' summed output for each row of X: a regressor's prediction, a
        classifier's log-odds."""
        n = X.shape[0]
        if n == 0:
            return np.zeros(0)
        width = X.shape[1]
        flat = np.ascontiguousarray(X, dtype=np.float64).ravel()
        # Features are never NaN; should one slip through, it goes right, like +inf.
        flat = np.nan_to_num(flat, nan=np.inf)
        feature, children = self._feature32, self.children
        idx = np.empty((n, len(self.roots)), dtype=np.int32)
        idx[:] = self.roots
        base = (np.arange(n, dtype=np.int32) * width)[:, None]
        for _ in range(self.depth):
            # In place and on int32: the walk is memory-bound.
            column = np.take(feature, idx)
            column += base
            right = np.take(flat, column) > np.take(self.threshold, idx)
            idx *= 2
            idx += right
            idx = np.take(children, idx)
        return np.take(self.value, idx).sum(axis=1) + self.baseline

    def __post_init__(self) -> None:
        # Left and right child of each node interleaved (2i: left, 2i+1: right), so that
        # one gather per level finds the next node.
        children = np.stack([self.left, self.right], axis=1).ravel().astype(np.int32)
        children.setflags(write=False)
        object.__setattr__(self, "children", children)
        feature = np.asarray(self.feature, dtype=np.int32)
        feature.setflags(write=False)
        object.__setattr__(self, "_feature32", feature)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The ensemble as named arrays, for saving."""
        return {f"{prefix}{name}": np.asarray(getattr(self, name)) for name in
                ("feature", "threshold", "left", "right", "value", "roots", "depth", "baseline")}

    @classmethod
    def from_arrays(cls, data, prefix: str) -> TreeEnsemble:
        def ro(name):
            arr = np.array(data[f"{prefix}{name}"])
            arr.setflags(write=False)
            return arr
        return cls(ro("feature"), ro("threshold"), ro("left"), ro("right"), ro("value"),
                   ro("roots"), int(data[f"{prefix}depth"]), float(data[f"{prefix}baseline"]))


@dataclass(frozen=True)
class BlockModel:
    """The block classifier: two word-weight lexicons feeding gradient-boosted trees.

    ``threshold`` is the probability above which a segment is body text. The second opinion's
    chooser travels with it (``second.py``): it maps each alternative body to a model of its
    gain over the classifier's.
    """

    trees: TreeEnsemble
    threshold: float
    feature_names: tuple[str, ...]
    text_weights: Mapping[str, float]
    text_bias: float
    name_weights: Mapping[str, float]
    name_bias: float
    chooser: Mapping[str, TreeEnsemble] = field(default_factory=lambda: MappingProxyType({}))
    text_tables: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The text lexicon by key kind, as scoring reads it (lexicon.score_text); plain dicts,
        # read-only by convention, since scoring looks words up in them a few times a segment.
        object.__setattr__(self, "text_tables", text_tables(self.text_weights))

    def dumps(self) -> str:
        """Serialise to base64 text (compressed numpy arrays)."""
        buf = io.BytesIO()
        np.savez_compressed(
            buf, **self.trees.arrays("t_"), threshold=np.array(self.threshold),
            feature_names=np.array(self.feature_names),
            text_keys=np.array(list(self.text_weights), dtype=str),
            text_values=np.array(list(self.text_weights.values()), dtype=np.float32),
            text_bias=np.array(self.text_bias),
            name_keys=np.array(list(self.name_weights), dtype=str),
            name_values=np.array(list(self.name_weights.values()), dtype=np.float32),
            name_bias=np.array(self.name_bias),
            chooser_bodies=np.array(list(self.chooser), dtype=str),
            **{k: v for i, m in enumerate(self.chooser.values())
               for k, v in m.arrays(f"c{i}_").items()})
        return base64.b64encode(buf.getvalue()).decode("ascii")

    @classmethod
    def loads(cls, text: str) -> BlockModel:
        """Read a model written by :meth:`dumps`."""
        with np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False) as data:
            def lexicon(prefix: str) -> Mapping[str, float]:
                keys = [str(k) for k in data[f"{prefix}_keys"]]
                return MappingProxyType(dict(zip(keys, map(float, data[f"{prefix}_values"]))))
            names = set(data.files)
            bodies = [str(b) for b in data["chooser_bodies"]] if "chooser_bodies" in names else []
            chooser = MappingProxyType({body: TreeEnsemble.from_arrays(data, f"c{i}_")
                                        for i, body in enumerate(bodies)})
            return cls(TreeEnsemble.from_arrays(data, "t_"), float(data["threshold"]),
                       tuple(str(s) for s in data["feature_names"]),
                       lexicon("text"), float(data["text_bias"]),
                       lexicon("name"), float(data["name_bias"]), chooser)


def from_sklearn(model) -> TreeEnsemble:
    """Convert a fitted binary HistGradientBoostingClassifier or a HistGradientBoostingRegressor
    (used by the training script)."""
    features, thresholds, lefts, rights, values, roots = [], [], [], [], [], []
    offset = 0
    depth = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        count = len(nodes)
        local = np.arange(count)
        leaf = nodes["is_leaf"].astype(bool)
        features.append(np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32))
        thresholds.append(nodes["num_threshold"].astype(np.float64))
        lefts.append((np.where(leaf, local, nodes["left"]) + offset).astype(np.int32))
        rights.append((np.where(leaf, local, nodes["right"]) + offset).astype(np.int32))
        values.append(np.where(leaf, nodes["value"], 0.0))
        roots.append(offset)
        depth = max(depth, int(nodes["depth"].max()))
        offset += count
    return TreeEnsemble(np.concatenate(features), np.concatenate(thresholds),
                        np.concatenate(lefts), np.concatenate(rights), np.concatenate(values),
                        np.array(roots, dtype=np.int32), depth,
                        float(np.ravel(model._baseline_prediction)[0]))
