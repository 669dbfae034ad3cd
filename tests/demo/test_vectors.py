import numpy as np
import pandas as pd

from keino_metrics.demo.vectors import as_str, lookup, take


def test_as_str_keeps_nulls():
    s = as_str(np.array(["a", None, "c"], dtype=object))
    assert str(s.dtype) == "str" and s.isna().tolist() == [False, True, False]


def test_lookup_matches_map():
    values = np.array(["x", "y", "x", "z"], dtype=object)
    mapping = {"x": 1.0, "y": 2.0}
    expected = pd.Series(values).map(mapping).to_numpy()
    np.testing.assert_array_equal(lookup(values, mapping), expected)
    assert lookup(values, mapping, 0.0)[-1] == 0.0
    assert len(lookup(np.array([], dtype=object), mapping)) == 0


def test_take_resets_index():
    s = pd.Series(["a", "b", "c"], index=[10, 11, 12], dtype="str")
    out = take(s, [2, 0, 2])
    assert out.tolist() == ["c", "a", "c"] and list(out.index) == [0, 1, 2]
