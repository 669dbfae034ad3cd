import doctest

import pytest

from keino_metrics import atomic


def test_write_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "page.html"
    atomic.write_text(target, "first")
    atomic.write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_a_failed_write_leaves_the_earlier_file_as_it_was(tmp_path):
    target = tmp_path / "table.xlsx"
    target.write_bytes(b"earlier")
    with pytest.raises(RuntimeError), atomic.replacing(target) as tmp:
        assert tmp.suffix == ".xlsx" and tmp.parent == tmp_path and tmp.name.startswith(".")
        tmp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["table.xlsx"]


def test_examples_in_the_docstrings():
    assert doctest.testmod(atomic).failed == 0
