import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from keino_metrics.report import bless


def test_normalise_drops_run_times_and_keeps_outputs_and_counts(tmp_path):
    cell = new_code_cell("1 + 1", execution_count=3,
                         outputs=[new_output("execute_result", {"text/plain": "2"},
                                             execution_count=3)])
    cell.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 0.1}
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    cell.metadata["tags"] = ["remove_cell"]
    nb = new_notebook(cells=[cell], metadata={"papermill": {"duration": 1.0}})
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    bless.normalise(path)
    out = nbformat.read(path, as_version=4)
    assert "papermill" not in out.metadata
    assert out.metadata.kernelspec.name == "python3"
    c = out.cells[0]
    assert c.metadata == {"tags": ["remove_cell"]}
    assert c.execution_count == 3 and c.outputs[0]["data"]["text/plain"] == "2"


def test_committed_notebooks_are_found(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.ipynb").write_text("{}")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    assert [p.name for p in bless.committed_notebooks(tmp_path)] == ["x.ipynb"]
