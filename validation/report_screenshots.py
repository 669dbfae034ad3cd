"""Screenshots of every report page, as a reader at a 1,280 px wide screen sees it.

Usage::

    python validation/report_screenshots.py REPORT_FOLDER OUT_FOLDER [--width 1280]
        [--part-height 2400] [--chromium /usr/bin/chromium]

Every ``*.html`` page in ``REPORT_FOLDER`` (for example ``reports/2025`` after
``keino report``) is opened in headless Chromium through Playwright (with the
Chromium of the system, so nothing is downloaded), and the whole page is
written as consecutive PNG parts ``<page>_01.png``, ``<page>_02.png``, ... of at
most ``--part-height`` pixels, small enough to look at one by one. For each
page the script also prints what a reader would stumble on first: the widest
element when the page is wider than the window (a table that does not fit) and
images without an alternative text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Debian's Chromium.
CHROMIUM = "/usr/bin/chromium"

_CHECKS = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('table, figure, img, pre')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName.toLowerCase() + ' ' + Math.round(e.getBoundingClientRect().width)
         + 'px: ' + (e.innerText || e.getAttribute('alt') || '').slice(0, 60).replace(/\\s+/g, ' '));
  const noAlt = [...document.querySelectorAll('img')]
    .filter(i => !i.getAttribute('alt') || /No description/.test(i.getAttribute('alt'))).length;
  return {height: document.documentElement.scrollHeight,
          scrollWidth: document.documentElement.scrollWidth, wide: wide, noAlt: noAlt,
          lang: document.documentElement.lang};
}"""


def shoot(folder: Path, out: Path, *, width: int = 1280, part_height: int = 2400,
          chromium: str = CHROMIUM) -> list[Path]:
    """Write the screenshots of every page in ``folder`` to ``out``; return their paths."""
    from playwright.sync_api import sync_playwright

    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise FileNotFoundError(f"{folder}: no HTML pages to take screenshots of")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            view = browser.new_page(viewport={"width": width, "height": part_height})
            for page in pages:
                view.goto(page.resolve().as_uri(), wait_until="load")
                info = view.evaluate(_CHECKS)
                height = int(info["height"])
                for k, top in enumerate(range(0, height, part_height), start=1):
                    path = out / f"{page.stem}_{k:02d}.png"
                    view.screenshot(path=str(path), full_page=True,
                                    clip={"x": 0, "y": top, "width": width,
                                          "height": min(part_height, height - top)})
                    written.append(path)
                print(f"{page.name}: lang={info['lang']!r}, {height} px high, "
                      f"{-(-height // part_height)} part(s); page width {info['scrollWidth']} px"
                      f" (window {width}); images without alt text: {info['noAlt']}")
                for w in info["wide"]:
                    print(f"  wider than the window: {w}")
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="folder with the report pages (*.html)")
    ap.add_argument("out", type=Path, help="folder for the PNG files")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--part-height", type=int, default=2400)
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args(argv)
    written = shoot(args.folder, args.out, width=args.width, part_height=args.part_height,
                    chromium=args.chromium)
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
