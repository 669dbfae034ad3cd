"""pyproject.toml, requirements/lock.txt and environment.yml cannot drift apart."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _envfile_module():
    spec = importlib.util.spec_from_file_location(
        "environment_yml", ROOT / "requirements" / "environment_yml.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_is_generated_from_the_lock():
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == _envfile_module().render()


def test_conda_pins_equal_lock_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    lock = _envfile_module().lock_versions()
    conda_to_pip = {v: k for k, v in _envfile_module().CONDA_NAMES.items()}
    pinned = [d for d in env["dependencies"] if isinstance(d, str) and "=" in d]
    checked = 0
    for dep in pinned:
        name, version = dep.split("=", 1)
        if name == "python":
            continue
        assert lock[conda_to_pip[name]] == version, dep
        checked += 1
    assert checked == len(conda_to_pip)
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-r requirements/lock.txt" in pip_section and "-e ." in pip_section


def test_every_declared_dependency_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = _envfile_module().lock_versions()
    declared = list(project["dependencies"])
    for extra in ("notebooks", "models", "spark", "test", "dev"):
        declared += project["optional-dependencies"][extra]
    missing = sorted({_name(r) for r in declared} - set(lock))
    assert missing == []


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert project["requires-python"] == ">=3.11"
    assert "python=3.11" in env["dependencies"]
