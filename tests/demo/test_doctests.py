import doctest
import importlib

import pytest

MODULES = ["keino_metrics.demo", "keino_metrics.demo.ids", "keino_metrics.demo.programmes",
           "keino_metrics.demo.generate"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
