"""A static, explorable website of the indicators: one page per region, buyer group,
buyer and indicator, in Finnish, Swedish and English.

``content`` computes the numbers once, ``figures`` holds the chart specifications,
``render`` turns content into pages and ``build`` writes the site folder.
"""

from keino_metrics.site.build import BuildResult, build_site

__all__ = ["BuildResult", "build_site"]
