"""``python -m keino_metrics``: the same as the ``keino`` command."""

import sys

from keino_metrics.cli import main

sys.exit(main())
