"""The committed report notebook: literal parameters, executed, normalised."""

import ast

import nbformat
import pytest

from keino_metrics import paths
from keino_metrics.report import params

NOTEBOOK = paths.notebooks_dir() / "reports" / "annual_report.ipynb"


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_parameters_cell_holds_literals_only(nb):
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    values = {}
    for stmt in tree.body:
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
        values[stmt.targets[0].id] = stmt.value.value
    assert values == {"year": 2025, "data_dir": "data/raw/demo", "language": "fi",
                      "seed": 2024, "content_path": "", "figures_path": ""}
    values.pop("content_path")
    values.pop("figures_path")
    params.validate(**values)


def test_committed_with_outputs_counts_and_no_run_times(nb):
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    shown = [c for c in code if "remove_cell" not in c.metadata.get("tags", [])
             and "parameters" not in c.metadata.get("tags", [])]
    assert shown and all(c.outputs for c in shown)
    assert "papermill" not in nb.metadata
    assert not any("papermill" in c.metadata or "execution" in c.metadata for c in nb.cells)
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)


def test_no_numbers_typed_into_the_notebook(nb):
    setup_and_shown = [c for c in nb.cells if c.cell_type == "code"
                       and "parameters" not in c.metadata.get("tags", [])]
    for cell in setup_and_shown:
        for node in ast.walk(ast.parse(cell.source.replace("%matplotlib inline", ""))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
                    and not isinstance(node.value, bool)):
                assert node.value in (0, 1, 20), cell.source  # indices and a row limit
