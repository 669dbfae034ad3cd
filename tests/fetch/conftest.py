"""Fixtures of the fetch tests: the fake services and quick client settings."""

from __future__ import annotations

import pytest

from keino_metrics.fetch.http import Settings
from tests.fetch.fake_services import FakeServices, sample_notices

#: Retries without real waiting (the tests do not time anything).
QUICK = Settings(rate=1000.0, concurrency=4, attempts=4, backoff_initial=0.01,
                 backoff_max=0.05, retry_after_max=0.05, timeout=5.0)


@pytest.fixture(scope="session")
def samples() -> dict[str, dict]:
    """The real sample notices by publication number."""
    return sample_notices()


@pytest.fixture
def ted(samples):
    """Fake TED serving every sample notice as the search's result."""
    with FakeServices(dict(samples)) as fake:
        yield fake
