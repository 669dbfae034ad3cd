from pathlib import Path

import numpy as np
import pytest

from keino_metrics import paths
from keino_metrics.report import params


def test_valid_parameters_resolve_paths(tmp_path):
    p = params.validate(2025, tmp_path, "en", 0)
    assert p == params.ReportParams(2025, tmp_path, "en", 0)
    assert p.to_dict() == {"year": 2025, "data_dir": str(tmp_path), "language": "en", "seed": 0}
    assert not p.demo_default


def test_default_data_dir_need_not_exist():
    p = params.validate(2025, None, "fi", 2024)
    assert p.data_dir == paths.demo_dir()
    assert p.demo_default
    assert params.validate(2025, "data/raw/demo", "fi", 2024).data_dir == paths.demo_dir()


def test_numpy_integers_are_accepted(tmp_path):
    assert params.validate(np.int64(2020), tmp_path, "fi", np.int32(3)).year == 2020


@pytest.mark.parametrize(("name", "value"), [
    ("year", "2025"),
    ("year", "2025; import os"),
    ("year", "__import__('os').system('true')"),
    ("year", 2025.0),
    ("year", True),
    ("year", 2017),
    ("year", 2101),
    ("year", None),
    ("language", "de"),
    ("language", "fi'; import os; '"),
    ("language", ["fi"]),
    ("language", None),
    ("seed", -1),
    ("seed", "7"),
    ("seed", 1.5),
    ("seed", False),
    ("data_dir", 42),
    ("data_dir", "/no/such/directory"),
    ("data_dir", "data\nimport os"),
])
def test_bad_values_are_refused_with_name_value_and_allowed(tmp_path, name, value):
    kwargs = {"year": 2025, "data_dir": tmp_path, "language": "fi", "seed": 1, name: value}
    with pytest.raises(ValueError) as err:
        params.validate(**kwargs)
    msg = str(err.value)
    assert repr(name) in msg
    assert repr(value) in msg
    assert "allowed" in msg


def test_year_must_be_in_data(tmp_path):
    with pytest.raises(ValueError, match=r"'year'.*2018-2019"):
        params.validate(2025, tmp_path, "fi", 1, available_years=[2018, 2019])
    assert params.validate(2019, tmp_path, "fi", 1, available_years=[2019]).year == 2019


def test_relative_paths_resolve_against_project_root():
    assert params.resolve_data_dir("x/y") == paths.project_root() / "x" / "y"
    assert params.resolve_data_dir(Path("/abs")) == Path("/abs")


def test_read_file_gives_build_report_arguments(tmp_path):
    f = tmp_path / "2025.yaml"
    f.write_text("year: 2025\nlanguage: en\nseed: 3\n")
    assert params.read_file(f) == {"year": 2025, "seed": 3, "language": ("en",)}
    committed = paths.project_root() / "params" / "2025.yaml"
    assert params.read_file(committed)["year"] == 2025


@pytest.mark.parametrize("body", ["year: '2025; import os'\n", "colour: red\n",
                                  "language: []\n", "- 1\n", "seed: -4\n"])
def test_read_file_refuses_bad_files(tmp_path, body):
    f = tmp_path / "p.yaml"
    f.write_text(body)
    with pytest.raises(ValueError, match="p.yaml"):
        params.read_file(f)
