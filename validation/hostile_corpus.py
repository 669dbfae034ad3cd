"""Rebuild a corpus of corrupted and hostile inputs, read it, and count what went wrong.

The corpus is made, with a fixed seed, from the real files in ``data/raw/samples``
and ``tests/fixtures`` (eForms and legacy TED XML, OCDS, TED CSV JSON, Hilma JSON):

* **mutants** (``--per-file`` of each kind for each source file): truncations,
  byte flips, inserted and deleted bytes, wrong encodings (bytes in one
  encoding declared as another), deleted elements or keys, impossible values
  (``NaN``, infinities, ``1e30``, negative numbers, values past the
  plausibility limits of :mod:`keino_metrics.readers.limits`, impossible
  dates) in the value, count and date fields, and duplicated parts;
* **valid variants** of the files the readers accept whole: the same notice
  in UTF-16 and UTF-32 with a byte-order mark and a matching declaration, and
  in UTF-8 with a byte-order mark;
* **hostile XML**: entity and DTD payloads (XXE to a file and to a local
  listener, parameter entities, external DTDs, "billion laughs", quadratic
  blow-up, a ``]`` in a comment or an ``ATTLIST``, a declaration after 64 KiB
  of prolog) in real eForms and legacy notices, in seven encodings;
* **hostile JSON** nested 100,000 levels deep;
* **archive bombs and special files**: a ``.gz`` of 2 GiB of zeros, a ``.zip``
  of 40 members of 250 MB, archives nested four deep, a ``.tar.gz`` of 20,000
  members, a sparse 300 MB file, a FIFO, a link to ``/dev/zero`` and a link
  out of the folder.

Each mutant and variant is read alone with :func:`keino_metrics.readers.read`
(one process, under an alarm of ``--timeout`` seconds), and compared with its
source file read alone. Counted:

crashes
    an exception out of ``read()``;
hangs
    a read still running after ``--timeout`` seconds;
unbalanced
    an input whose accounting breaks rows in = accepted + quarantined;
valid files quarantined
    a valid variant (or a source file accepted whole) with anything
    quarantined, or with rows that differ from its source's;
impossible values accepted silently
    a mutant with an impossible value whose rows differ from its source's
    although nothing was quarantined and no field-level issue was noted; and
    any value in any output past the plausibility limits;
entity/DTD payloads refused
    payloads quarantined with field ``DOCTYPE`` (out of all of them);
peak memory on archive bombs
    maximum resident set of a fresh process that reads the bombs (and,
    sampled every 0.1 s from ``/proc``, of its largest worker process and of
    all its processes together), once with ``workers=1`` and once with
    ``workers=2``.

Usage::

    python validation/hostile_corpus.py                # about 1,300 inputs
    python validation/hostile_corpus.py --keep /tmp/corpus --per-file 1
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's keino_metrics, also in worker processes
SOURCES = [ROOT / "data" / "raw" / "samples", ROOT / "tests" / "fixtures" / "eforms" / "ted",
           ROOT / "tests" / "fixtures" / "ted_legacy" / "ted-xml",
           ROOT / "tests" / "fixtures" / "ocds", ROOT / "tests" / "fixtures" / "ted_csv",
           ROOT / "tests" / "fixtures" / "hilma" / "hilma_read_api.json"]

# value, count and date fields of each format (element names or JSON keys)
_XML_VALUES = ("cbc:PayableAmount", "cbc:EstimatedOverallContractAmount",
               "cbc:TaxExclusiveAmount", "efbc:OverallMaximumFrameworkContractsAmount",
               "VAL_TOTAL", "VAL_ESTIMATED_TOTAL", "VAL_OBJECT")
_XML_COUNTS = ("efbc:StatisticsNumeric", "NB_TENDERS_RECEIVED", "NB_TENDERS_RECEIVED_SME")
_XML_DATES = ("cbc:IssueDate", "efbc:PublicationDate", "cbc:AwardDate", "DATE_PUB",
              "DS_DATE_DISPATCH", "DATE_CONCLUSION_CONTRACT")
_JSON_VALUES = ("amount", "lot_value_eur", "total_contract_value_eur")
_JSON_COUNTS = ("numberOfTenderers", "number_of_offers", "value")
_JSON_DATES = ("date", "publication_date", "award_date", "datePublished")
_BAD_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e30", "1e400", "-5")
_BAD_AMOUNT = "1e14"  # under limits.MAX_AMOUNT, past MAX_LOT_VALUE_EUR in euros
_BAD_COUNT = "200000"  # past limits.MAX_COUNT
_BAD_DATES = ("9999-12-31", "1850-01-01", "2024-02-30", "2024-13-01")


# -- the corpus ---------------------------------------------------------------

def source_files() -> list[Path]:
    """Real files of every format, each content once."""
    seen, out = set(), []
    for s in SOURCES:
        files = [s] if s.is_file() else sorted(p for p in s.rglob("*") if p.is_file())
        for f in files:
            if f.suffix.lower() not in (".xml", ".json", ".csv"):
                continue
            h = hashlib.sha256(f.read_bytes()).hexdigest()
            if h not in seen:
                seen.add(h)
                out.append(f)
    return out


def _declare(text: str, encoding: str) -> str:
    if re.match(r"\s*<\?xml", text):
        if re.search(r"^\s*<\?xml[^>]*encoding=", text):
            return re.sub(r"(^\s*<\?xml[^>]*encoding=)([\"'])[^\"']*\2",
                          rf"\g<1>\g<2>{encoding}\g<2>", text, count=1)
        return re.sub(r"^(\s*<\?xml[^?]*)\?>", rf'\1 encoding="{encoding}"?>', text, count=1)
    return f'<?xml version="1.0" encoding="{encoding}"?>' + text


def _field_spots(text: str, is_xml: bool, kind: str) -> list[tuple[int, int]]:
    """Spans of the values of the value, count or date fields."""
    if is_xml:
        names = {"value": _XML_VALUES, "count": _XML_COUNTS, "date": _XML_DATES}[kind]
        pat = "|".join(re.escape(n) for n in names)
        return [m.span(2) for m in re.finditer(rf"<({pat})\b[^>]*>([^<]*)</\1>", text)]
    names = {"value": _JSON_VALUES, "count": _JSON_COUNTS, "date": _JSON_DATES}[kind]
    pat = "|".join(re.escape(n) for n in names)
    return [m.span(2) for m in re.finditer(rf'"({pat})"\s*:\s*("[^"]*"|[-+0-9.eE]+)', text)]


def mutants(path: Path, rng: random.Random, per_file: int) -> list[tuple[str, str, bytes]]:
    """``(name, kind, bytes)`` corrupted copies of one real file."""
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    is_xml = text.lstrip("\ufeff \r\n\t").startswith("<")
    out: list[tuple[str, str, bytes]] = []

    def add(kind: str, b: bytes) -> None:
        out.append((f"{path.stem}.{kind}.{len(out)}{path.suffix}", kind, b))

    for _ in range(per_file):
        i = rng.randrange(1, len(data))
        add("truncated", data[:i])
        j = rng.randrange(len(data))
        add("byte-flip", data[:j] + bytes([data[j] ^ (1 << rng.randrange(8))]) + data[j + 1:])
        j = rng.randrange(len(data))
        add("bytes-inserted", data[:j] + os.urandom(rng.randrange(1, 32)) + data[j:])
        j = rng.randrange(len(data))
        add("bytes-deleted", data[:j] + data[j + rng.randrange(1, 2000):])
        j = rng.randrange(len(data))
        k = min(len(data), j + rng.randrange(1, 4000))
        add("part-duplicated", data[:k] + data[j:k] + data[k:])
        if is_xml:
            tags = re.findall(r"<([A-Za-z_][\w.:-]*)[ >]", text)
            tag = rng.choice(tags[1:] or tags)
            m = list(re.finditer(rf"<{re.escape(tag)}[ >].*?</{re.escape(tag)}>", text, re.S))
            if m:
                s = rng.choice(m)
                add("element-deleted", (text[:s.start()] + text[s.end():]).encode("utf-8"))
        else:
            keys = list(re.finditer(r'"[A-Za-z_]+"\s*:\s*("[^"]*"|[-+0-9.eE]+|true|false|null)'
                                    r",?", text))
            if keys:
                s = rng.choice(keys)
                add("key-deleted", (text[:s.start()] + text[s.end():]).encode("utf-8"))
    # wrong encodings: bytes of one encoding declared (or taken) as another
    if is_xml:
        add("latin1-declared-utf8", _declare(text, "UTF-8").encode("latin-1", "replace"))
        add("utf8-declared-latin1", _declare(text, "ISO-8859-1").encode("utf-8"))
        add("utf16-without-bom-declared-utf8", _declare(text, "UTF-8").encode("utf-16-le"))
        add("utf16-declared-utf8-with-bom", ("\ufeff" + _declare(text, "UTF-8")
                                             ).encode("utf-16-le"))
        add("cp1252-declared-utf16", _declare(text, "UTF-16").encode("cp1252", "replace"))
    else:
        add("latin1-json", text.encode("latin-1", "replace"))
        add("utf16-json-without-bom", text.encode("utf-16-le"))
    # impossible values in the fields that carry values, counts and dates
    for kind, bads in (("value", (*_BAD_NUMBERS, _BAD_AMOUNT)),
                       ("count", (*_BAD_NUMBERS, _BAD_COUNT, "2.5")),
                       ("date", _BAD_DATES)):
        spots = _field_spots(text, is_xml, kind)
        if not spots:
            continue
        for bad in rng.sample(bads, 2):
            a, b = rng.choice(spots)
            new = bad if is_xml else (f'"{bad}"' if kind == "date" or
                                      bad.startswith(("N", "I", "-I")) and
                                      rng.random() < 0.5 else bad)
            add(f"impossible-{kind}", (text[:a] + new + text[b:]).encode("utf-8"))
    if path.suffix == ".json" and text.lstrip().startswith("["):
        first = re.search(r"\{[^{}]*\}", text)
        if first:
            k = first.end()
            add("row-repeated", (text[:k] + "," + first.group(0) + text[k:]).encode("utf-8"))
    return out


def valid_variants(path: Path) -> list[tuple[str, str, bytes]]:
    """The same document in other encodings the XML specification allows."""
    text = path.read_bytes().decode("utf-8")
    if not text.lstrip("\ufeff").startswith("<"):
        return []
    out = []
    for enc, codec in (("UTF-16", "utf-16-le"), ("UTF-16", "utf-16-be"), ("UTF-32", "utf-32"),
                       ("UTF-8", "utf-8")):
        body = _declare(text.lstrip("\ufeff"), enc)
        bom = "" if codec == "utf-32" else "\ufeff"
        out.append((f"{path.stem}.valid-{codec}{path.suffix}", f"valid-{codec}",
                    (bom + body).encode(codec)))
    return out


#: Entity and DTD payloads, put after the XML declaration of a real notice.
PAYLOADS = {
    "xxe-file": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "xxe-http": '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/xxe">]>',
    "parameter-entity": '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/pe"> %p;]>',
    "external-dtd-system": '<!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/ext.dtd">',
    "external-dtd-public": '<!DOCTYPE r PUBLIC "-//K//D" "http://127.0.0.1:{port}/pub.dtd">',
    "billion-laughs": "<!DOCTYPE r [<!ENTITY l0 \"lol\">" + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)) + "]>",
    "quadratic-blowup": '<!DOCTYPE r [<!ENTITY a "' + "x" * 50_000 + '">]>',
    "bracket-in-comment": '<!DOCTYPE r [<!-- ] --><!ENTITY x "inside">]>',
    "bracket-in-attlist": '<!DOCTYPE r [<!ATTLIST r a CDATA "]"><!ENTITY x SYSTEM '
                          '"file:///etc/passwd">]>',
    "after-64KiB-prolog": "<!--" + "p" * 70_000 + '--><!DOCTYPE r [<!ENTITY x "late">]>',
}
ENCODINGS = (("UTF-8", "utf-8"), ("UTF-16", "utf-16-le"), ("UTF-16", "utf-16-be"),
             ("UTF-32", "utf-32"), ("ISO-8859-1", "latin-1"), ("windows-1252", "cp1252"),
             ("US-ASCII", "ascii"))


def hostile_xml(bases: list[Path], port: int) -> list[tuple[str, str, bytes]]:
    """Every payload in every encoding, in each base notice; the entity is used in text."""
    out = []
    for base in bases:
        text = base.read_bytes().decode("utf-8")
        cut = text.index("?>") + 2
        root_end = text.index(">", text.index("<", cut + 1)) + 1
        for name, payload in PAYLOADS.items():
            p = payload.replace("{port}", str(port))
            ref = {"billion-laughs": "&l9;", "quadratic-blowup": "&a;" * 200}.get(name, "&x;")
            ref = "" if "external-dtd" in name or name == "parameter-entity" else ref
            doc = text[:cut] + p + text[cut:root_end] + ref + text[root_end:]
            for enc, codec in ENCODINGS:
                body = _declare(doc, enc)
                bom = "\ufeff" if codec in ("utf-16-le", "utf-16-be") else ""
                out.append((f"{base.stem}.{name}.{codec}.xml", name,
                            (bom + body).encode(codec, "xmlcharrefreplace")))
    return out


def hostile_json() -> list[tuple[str, str, bytes]]:
    deep = "[" * 100_000 + "]" * 100_000
    return [("deep-ocds.json", "deep-json",
             ('{"uri": "x", "publishedDate": "2024-01-01", "releases": ' + deep + "}").encode()),
            ("deep-ted-csv.json", "deep-json", ('[{"notice_id": ' + deep + "}]").encode()),
            ("deep-hilma.json", "deep-json", ('{"notices": ' + deep + "}").encode())]


# -- archive bombs and special files -----------------------------------------

def _zip_of_copies(path: Path, member: bytes, n: int) -> None:
    """A zip of ``n`` members that each decompress to ``member`` (written as raw
    deflate once and copied, so building it costs one compression)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = b"".join(comp.compress(member[i:i + (1 << 24)]) for i in range(0, len(member), 1 << 24))
    raw += comp.flush()
    crc = zlib.crc32(member)
    central, offset = [], 0
    with open(path, "wb") as fh:
        for k in range(n):
            name = f"member-{k:03d}.xml".encode()
            head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw),
                               len(member), len(name), 0)
            fh.write(head + name + raw)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0,
                                       crc, len(raw), len(member), len(name), 0, 0, 0, 0, 0,
                                       offset) + name)
            offset += len(head) + len(name) + len(raw)
        cd = b"".join(central)
        fh.write(cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), offset, 0))


def _gzip_of_zeros(path: Path, size: int) -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 24)
    with open(path, "wb") as fh:
        for _ in range(size // len(block)):
            fh.write(comp.compress(block))
        fh.write(comp.flush())


def build_bombs(d: Path, outside: Path) -> list[str]:
    """Archive bombs and special files in ``d``; returns their names."""
    import io
    import tarfile
    import zipfile

    d.mkdir(parents=True)
    _gzip_of_zeros(d / "zeros-2GiB.gz", 2 << 30)
    _zip_of_copies(d / "forty-members-250MB.zip", b"\0" * (250 * 1000 * 1000), 40)
    leaf = d / "leaf.gz"
    _gzip_of_zeros(leaf, 200 << 20)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("leaf.gz", leaf.read_bytes())
    leaf.unlink()
    for level in range(3):  # four levels of archives, three of each inside the next
        outer = io.BytesIO()
        with zipfile.ZipFile(outer, "w") as z:
            for k in range(3):
                z.writestr(f"level{level}-{k}.zip", inner.getvalue())
        inner = outer
    (d / "nested-4-levels.zip").write_bytes(inner.getvalue())
    with tarfile.open(d / "0-twenty-thousand-members.tar.gz", "w:gz") as tf:
        for k in range(20_000):
            info = tarfile.TarInfo(f"m{k:05d}.xml")
            info.size = 1
            tf.addfile(info, io.BytesIO(b"<"))
    with open(d / "sparse-300MB.xml", "wb") as fh:
        fh.truncate(300 * 1000 * 1000)
    os.mkfifo(d / "fifo.xml")
    os.symlink("/dev/zero", d / "dev-zero.xml")
    outside.write_bytes(b"<secret>outside the input folder</secret>")
    os.symlink(outside, d / "link-outside.xml")
    return sorted(p.name for p in d.iterdir())


_BOMB_READER = """
import json, os, resource, sys, threading, time
from keino_metrics.readers import read

def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0

def descendants(root):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out

peak = {"worker": 0.0, "all": 0.0}
done = threading.Event()

def sample():
    me = os.getpid()
    while not done.wait(0.1):
        sizes = [rss_mb(p) for p in descendants(me)]
        peak["worker"] = max(peak["worker"], max(sizes, default=0.0))
        peak["all"] = max(peak["all"], rss_mb(me) + sum(sizes))

threading.Thread(target=sample, daemon=True).start()
t = time.perf_counter()
ds = read(sys.argv[1], workers=int(sys.argv[2]), progress=False)
done.set()
print(json.dumps({
    "seconds": round(time.perf_counter() - t, 1),
    "peak_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "peak_worker_mb": peak["worker"], "peak_all_mb": peak["all"],
    "inputs": int(len(ds.accounting)), "accepted": int(ds.accounting["rows_accepted"].sum()),
    "reasons": ds.quarantine["reason"].str.slice(0, 70).value_counts().head(8).to_dict()}))
"""


def read_bombs(d: Path, workers: int, timeout: float) -> dict:
    """Read the bombs in a fresh process; its peak memory and what it said."""
    try:
        out = subprocess.run([sys.executable, "-c", _BOMB_READER, str(d), str(workers)],
                             capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"hang": True}
    if out.returncode:
        return {"crash": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- reading and judging ------------------------------------------------------

class _Listener:
    """Counts connections to a local port (a document that reaches out)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.sock.close()


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang


def read_one(path: Path, timeout: int) -> dict:
    """Read one file alone; what came out, or the crash or hang."""
    from keino_metrics.readers import read

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    t = time.perf_counter()
    try:
        ds = read([path], workers=1, progress=False)
    except _Hang:
        return {"hang": True}
    except BaseException as exc:  # counting crashes is the point
        return {"crash": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        signal.alarm(0)
    seconds = time.perf_counter() - t
    acc = ds.accounting
    rows = {}
    for name in ("notices", "lots", "awards", "buyers"):
        df = ds[name].drop(columns=[c for c in ("source_file",) if c in ds[name]])
        rows[name] = hashlib.sha256(
            df.astype("string").to_csv(index=False).encode("utf-8")).hexdigest()
    return {"seconds": seconds, "source": "/".join(sorted(set(acc["source"]))),
            "rows_in": int(acc["rows_in"].sum()), "accepted": int(acc["rows_accepted"].sum()),
            "quarantined": int(acc["rows_quarantined"].sum()),
            "balanced": bool((acc["rows_in"] == acc["rows_accepted"]
                              + acc["rows_quarantined"]).all()),
            "reasons": list(ds.quarantine["reason"]), "fields": list(ds.quarantine["field"]),
            "issues": len(ds.field_issues), "rows": rows,
            "out_of_bounds": out_of_bounds(ds),
            "leak": any("root:" in str(v) for v in ds.notices.astype("string").stack())}


def _read_one(args: tuple[Path, int]) -> dict:
    return read_one(*args)


def out_of_bounds(ds) -> list[str]:
    """Values in the tables past the plausibility limits (none is allowed)."""
    from keino_metrics.readers import limits
    from keino_metrics.readers.checks import EARLIEST_DATE

    bad = []
    for table, col, hi in (("lots", "estimated_value_eur", limits.MAX_LOT_VALUE_EUR),
                           ("awards", "awarded_value_eur", limits.MAX_LOT_VALUE_EUR),
                           ("awards", "tenders_received", limits.MAX_COUNT),
                           ("awards", "sme_tenders_received", limits.MAX_COUNT)):
        v = pd.to_numeric(ds[table][col], errors="coerce").astype("float64")
        raw = ds[table][col]
        if ((v.abs() > hi) | (v < 0) | (raw.notna() & v.isna())).any():
            bad.append(f"{table}.{col}")
    for table, col in (("notices", "publication_date"), ("awards", "decision_date")):
        d = pd.to_datetime(ds[table][col], errors="coerce").dropna()
        if ((d < pd.Timestamp(EARLIEST_DATE)) | (d > pd.Timestamp.now() + pd.Timedelta(
                days=366 * 5 + 1))).any():
            bad.append(f"{table}.{col}")
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--per-file", type=int, default=1,
                    help="mutants of each random kind per source file (default 1)")
    ap.add_argument("--timeout", type=int, default=60, help="seconds before a read is a hang")
    ap.add_argument("--keep", type=Path, default=None, help="write the corpus here and keep it")
    ap.add_argument("--no-bombs", action="store_true", help="skip the archive bombs")
    ap.add_argument("--workers", type=int, default=2,
                    help="processes reading the corpus (each file alone; default 2)")
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="keino-hostile-"))
    corpus = a.keep or work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    rng = random.Random(a.seed)
    listener = _Listener()
    try:
        sources = source_files()
        # forkserver: a worker forked from this process could inherit a lock held by
        # the listener's thread and wait on it for ever
        pool = multiprocessing.get_context("forkserver").Pool(a.workers)
        baseline = dict(zip(sources, pool.imap(_read_one, [(p, a.timeout) for p in sources]),
                            strict=True))
        whole = [p for p, r in baseline.items() if "crash" not in r and "hang" not in r
                 and r["quarantined"] == 0 and r["accepted"] > 0]
        items: list[tuple[Path, str, str, bytes]] = []  # source, name, kind, bytes
        for p in sources:
            for name, kind, data in mutants(p, rng, a.per_file):
                items.append((p, name, kind, data))
        for k, p in enumerate(whole):  # one valid variant of each, encodings in turn
            variants = valid_variants(p)
            if variants:
                name, kind, data = variants[k % len(variants)]
                items.append((p, name, kind, data))
        bases = [next(p for p in whole if p.parent.name == "ted-eforms"),
                 next(p for p in whole if p.parent.name == "ted-legacy")]
        hostile = hostile_xml(bases, listener.port)
        for name, kind, data in hostile:
            items.append((None, name, "hostile-" + kind, data))
        for name, kind, data in hostile_json():
            items.append((None, name, "hostile-" + kind, data))

        t0 = time.perf_counter()
        files = []
        for _src, name, kind, data in items:
            f = corpus / kind / name
            f.parent.mkdir(exist_ok=True)
            f.write_bytes(data)
            files.append((f, a.timeout))
        results = []
        for k, r in enumerate(pool.imap(_read_one, files, chunksize=4)):
            src, name, kind, _ = items[k]
            results.append((src, name, kind, r))
            if (k + 1) % 200 == 0:
                print(f"  read {k + 1:,} of {len(items):,} ({time.perf_counter() - t0:.0f} s)",
                      file=sys.stderr)
        pool.close()

        count = Counter()
        examples: dict[str, list[str]] = {}

        def flag(what: str, name: str, detail: str = "") -> None:
            count[what] += 1
            examples.setdefault(what, []).append(f"{name}: {detail}"[:300])

        for src, name, kind, r in results:
            count["inputs"] += 1
            count[f"kind {kind.split('-')[0] if kind.startswith('hostile') else kind}"] += 1
            if "crash" in r:
                flag("crashes", name, r["crash"])
                continue
            if "hang" in r:
                flag("hangs", name)
                continue
            if not r["balanced"]:
                flag("unbalanced", name)
            if r["out_of_bounds"]:
                flag("impossible values accepted silently", name, ", ".join(r["out_of_bounds"]))
            if r["leak"]:
                flag("file contents leaked", name)
            base = baseline.get(src) if src is not None else None
            if kind.startswith("valid"):
                count["valid files"] += 1
                if r["quarantined"] or r["rows"] != base["rows"]:
                    flag("valid files quarantined", name,
                         "; ".join(r["reasons"][:2]) or "rows differ from the source's")
            elif kind.startswith("impossible") or kind == "row-repeated":
                count["mutants with an impossible value"] += 1
                silent = not r["quarantined"] and not r["issues"]
                if silent and base is not None and r["rows"] != base["rows"]:
                    flag("impossible values accepted silently", name, "rows changed, no note")
            elif kind.startswith("hostile"):
                if "deep-json" in kind:
                    count["deep JSON refused"] += int(r["accepted"] == 0)
                    continue
                count["entity/DTD payloads"] += 1
                if r["accepted"] == 0 and "DOCTYPE" in r["fields"]:
                    count["entity/DTD payloads refused with the DTD reason"] += 1
                else:
                    flag("entity/DTD payloads not refused as such", name,
                         "; ".join(map(str, r["reasons"][:2])))
        count["valid files"] += len(whole)  # the sources accepted whole are valid files too
        elapsed = time.perf_counter() - t0

        bombs = {}
        if not a.no_bombs:
            bomb_dir = work / "bombs"
            names = build_bombs(bomb_dir, work / "outside-secret.xml")
            for workers in (1, 2):
                bombs[workers] = read_bombs(bomb_dir, workers, timeout=1800)
            bombs["files"] = names
    finally:
        listener.close()
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"hostile corpus (seed {a.seed}): {count['inputs']:,} inputs read one by one in "
          f"{elapsed:.0f} s from {len(sources)} real files "
          f"({len(whole)} of them accepted whole)")
    partly = {p: r for p, r in baseline.items() if p not in whole}
    print(f"  real files not accepted whole when read alone (not counted as valid files): "
          f"{len(partly)}")
    why = Counter(re.sub(r"\d+", "N", x)[:90] for r in partly.values()
                  for x in r.get("reasons", [r.get("crash") or "hang"]))
    for reason, n in why.most_common(6):
        print(f"    {n:>4}  {reason}")
    kinds = sorted(k for k in count if k.startswith("kind "))
    print("  by kind: " + ", ".join(f"{k[5:]} {count[k]}" for k in kinds))
    mutants_n = sum(count[k] for k in kinds if not k.startswith("kind valid")
                    and not k.startswith("kind hostile"))
    print(f"  mutants of real files: {mutants_n:,}")
    for what in ("crashes", "hangs", "unbalanced", "valid files quarantined",
                 "impossible values accepted silently", "file contents leaked"):
        extra = {"valid files quarantined": f" (of {count['valid files']} valid files)",
                 "impossible values accepted silently":
                     f" (of {count['mutants with an impossible value']} mutants with one)"
                 }.get(what, "")
        print(f"{what}: {count[what]}{extra}")
        for ex in examples.get(what, [])[:5]:
            print(f"    {ex}")
    print(f"entity/DTD payloads refused with their reason: "
          f"{count['entity/DTD payloads refused with the DTD reason']} of "
          f"{count['entity/DTD payloads']} ({len(PAYLOADS)} payloads x {len(ENCODINGS)} "
          f"encodings x 2 notices)")
    for ex in examples.get("entity/DTD payloads not refused as such", [])[:5]:
        print(f"    {ex}")
    print(f"deep JSON (100,000 levels) refused: {count['deep JSON refused']} of 3")
    print(f"connections to the local listener (requests leaving a document): {listener.hits}")
    for workers in (1, 2):
        b = bombs.get(workers)
        if b is None:
            print(f"archive bombs, workers={workers}: not run")
            continue
        if "peak_self_mb" not in b:
            print(f"archive bombs, workers={workers}: {b}")
            continue
        print(f"archive bombs, workers={workers}: peak memory {b['peak_self_mb']:.0f} MB "
              f"(main process), {b['peak_worker_mb']:.0f} MB (largest worker), "
              f"{b['peak_all_mb']:.0f} MB (all processes, sampled every 0.1 s); "
              f"{b['seconds']} s; {b['inputs']:,} inputs, {b['accepted']} accepted")
        for reason, n in b["reasons"].items():
            print(f"    {n:>6,}  {reason}")
    failures = sum(count[w] for w in ("crashes", "hangs", "unbalanced",
                                      "valid files quarantined",
                                      "impossible values accepted silently",
                                      "file contents leaked",
                                      "entity/DTD payloads not refused as such"))
    return 1 if failures or listener.hits else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
