"""The block classifier's pieces: tree evaluation, serialisation, and the shipped model."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

from newsdesk.pipeline.extraction.classifier import BlockModel, TreeEnsemble
from newsdesk.pipeline.extraction.features import FEATURE_NAMES
from newsdesk.pipeline.extraction.lexicon import name_keys, text_keys
from newsdesk.pipeline.extraction.weights import DEFAULT_MODEL

extract_pkg = importlib.import_module("newsdesk.pipeline.extraction")


def stump(feature: int, threshold: float, low: float, high: float) -> TreeEnsemble:
    """One tree: node 0 tests ``feature``; leaf 1 (<= threshold) and leaf 2 (>)."""
    return TreeEnsemble(
        feature=np.array([feature, 0, 0]), threshold=np.array([threshold, 0.0, 0.0]),
        left=np.array([1, 1, 2]), right=np.array([2, 1, 2]), value=np.array([0.0, low, high]),
        roots=np.array([0]), depth=1, baseline=0.0)


def test_tree_ensemble_follows_thresholds():
    trees = stump(feature=1, threshold=0.5, low=-2.0, high=3.0)
    X = np.array([[9.0, 0.5], [9.0, 0.6], [0.0, -1.0]])
    expected = 1 / (1 + np.exp(-np.array([-2.0, 3.0, -2.0])))
    assert np.allclose(trees.predict(X), expected)
    assert trees.predict(np.zeros((0, 2))).shape == (0,)


def test_model_round_trips():
    model = BlockModel(stump(0, 1.0, -1.0, 1.0), 0.4, ("a", "b"), {"f:read": -1.5}, 0.1,
                       {"a0:content": 2.0}, -0.2)
    again = BlockModel.loads(model.dumps())
    assert again.threshold == 0.4 and again.feature_names == ("a", "b")
    assert dict(again.text_weights) == {"f:read": -1.5} and again.name_bias == pytest.approx(-0.2)
    X = np.array([[0.5, 0.0], [2.0, 0.0]])
    assert np.allclose(again.trees.predict(X), model.trees.predict(X))


def test_model_is_read_only():
    assert DEFAULT_MODEL is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_MODEL.threshold = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        DEFAULT_MODEL.trees.threshold[0] = 1.0
    with pytest.raises(TypeError):
        DEFAULT_MODEL.text_weights["f:new"] = 1.0  # type: ignore[index]


def test_shipped_model_matches_the_feature_layout():
    assert DEFAULT_MODEL is not None, "retrain with bench/train_extract.py"
    assert DEFAULT_MODEL.feature_names == FEATURE_NAMES
    assert 0.0 < DEFAULT_MODEL.threshold < 1.0


def test_lexicon_keys():
    keys = text_keys("Read more: the harbour")
    assert keys[:6] == ["f:read", "f:more", "f:the", "f:harbour", "l:the", "l:harbour"]
    assert set(keys[6:]) == {"w:read", "w:more", "w:the", "w:harbour"}
    long_text = "Councillors voted " + "on the plan " * 20 + "last night."
    keys = text_keys(long_text)
    assert keys[:2] == ["f:councillors", "f:voted"] and keys[-2:] == ["l:last", "l:night"]
    assert not any(k.startswith("w:") for k in keys)
    names = ["site main", "entry-content post", "share-box"]
    assert name_keys((0, 1, 2), names) == ["a0:box", "a0:share", "a1:content", "a1:entry",
                                           "a1:post", "a2:main", "a2:site"]


def test_public_api():
    assert sorted(extract_pkg.__all__) == ["ExtractOptions", "SourceTemplate", "TemplateOptions",
                                           "extract", "learn_template"]
    for name in extract_pkg.__all__:
        assert getattr(extract_pkg, name) is not None


def test_text_scores_are_the_sum_over_text_keys():
    """The run-time text score looks words up by kind; it must equal the training's view, the
    sum of the weights of ``text_keys``."""
    from newsdesk.pipeline.extraction.lexicon import score_text

    texts = ["Read more about this", "Share on Facebook", "", "By Mara Ellison",
             "The harbour council voted on Tuesday to rebuild the old sea wall. " * 4]
    expected = [DEFAULT_MODEL.text_bias + sum(DEFAULT_MODEL.text_weights.get(k, 0.0)
                                              for k in text_keys(t)) for t in texts]
    got = score_text(texts, DEFAULT_MODEL.text_tables, DEFAULT_MODEL.text_bias)
    assert np.allclose(got, expected)
    assert len(set(np.round(got, 6))) > 1
