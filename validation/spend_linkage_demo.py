"""Check the invoice-contract linker against the demo corpus's known links.

Generates the demo corpus (its invoices carry their true contract in the
extra table ``spend_truth``), links the invoices with
:func:`keino_metrics.spend.link.link_spend` and prints

* precision: linked invoices whose contract is the true one / linked invoices;
* recall: invoices linked to their true contract / invoices under a contract
  (a contract being what one result notice awards to the supplier, the
  linker's unit; the same two figures for the most probable lot follow);
* the share of spend under innovative, green and social contracts, estimated
  (``SPEND-*`` indicators, with intervals) and true (from the true links).

Run from the repository root::

    python -m validation.spend_linkage_demo --seed 2024 --scale 0.1
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import keino_metrics as km
from keino_metrics.spend.frame import contract_flags
from keino_metrics.spend.link import link_spend


def linkage_quality(data: km.Dataset) -> dict[str, float]:
    """Precision, recall and counts of the linker on a generated dataset."""
    flags = contract_flags(data)
    links, _ = link_spend(data.spend, flags, data.buyers)
    truth = data.extra["spend_truth"]
    true_c = truth["contract"].to_numpy(dtype=object)
    got = links["contract"].to_numpy(dtype=object)
    linked = pd.notna(got)
    under = pd.notna(true_c)
    # the contract: the result notice's award to the supplier (the linker's unit)
    true_n = pd.Series(true_c).str.split("/", n=1).str[0].to_numpy(dtype=object)
    correct = linked & under & (links["notice_id"].to_numpy(dtype=object) == true_n)
    lot_correct = linked & under & (got == true_c)
    return {"invoices": len(truth), "under_contract": int(under.sum()),
            "linked": int(linked.sum()), "correct": int(correct.sum()),
            "precision": correct.sum() / max(linked.sum(), 1),
            "recall": correct.sum() / max(under.sum(), 1),
            "lot_precision": lot_correct.sum() / max(linked.sum(), 1),
            "lot_recall": lot_correct.sum() / max(under.sum(), 1)}


def true_shares(data: km.Dataset) -> dict[str, float]:
    """Shares of spend under innovative, green, social and any noticed contract (truth)."""
    flags = contract_flags(data).set_index("contract")
    truth = data.extra["spend_truth"]
    amount = data.spend["amount_eur"].to_numpy(float)
    c = truth["contract"]
    out = {"covered": amount[c.notna().to_numpy()].sum() / amount.sum()}
    for f in ("innovative", "green", "social"):
        hit = c.map(flags[f]).fillna(False).astype(bool).to_numpy()
        out[f] = amount[hit].sum() / amount.sum()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--scale", type=float, default=0.1)
    a = ap.parse_args(argv)
    data = km.demo.generate(seed=a.seed, scale=a.scale, invoices=True)
    q = linkage_quality(data)
    print(f"demo corpus seed={a.seed} scale={a.scale:g}: {q['invoices']:,} invoice rows, "
          f"{q['under_contract']:,} under a noticed contract")
    print(f"linked {q['linked']:,}, correctly {q['correct']:,}")
    print(f"contract (result notice x supplier): precision {q['precision']:.4f} "
          f"(aim >= 0.95)   recall {q['recall']:.4f} (aim >= 0.90)")
    print(f"most probable lot:                   precision {q['lot_precision']:.4f}"
          f"                recall {q['lot_recall']:.4f}")
    truth = true_shares(data)
    res = km.compute(["SPEND-COVERED", "SPEND-INNOV", "SPEND-GREEN", "SPEND-SOCIAL"], data)
    print("share of spend          true   estimate  95 % interval")
    for ind, key in (("SPEND-COVERED", "covered"), ("SPEND-INNOV", "innovative"),
                     ("SPEND-GREEN", "green"), ("SPEND-SOCIAL", "social")):
        r = res.to_frame().set_index("indicator_id").loc[ind]
        inside = r["ci_low"] <= truth[key] <= r["ci_high"]
        print(f"{ind:<16}{truth[key]:>12.4f}{r['estimate']:>11.4f}  "
              f"[{r['ci_low']:.4f}, {r['ci_high']:.4f}]{'' if inside else '  (truth outside)'}")
    ok = q["precision"] >= 0.95 and q["recall"] >= 0.9 and np.isfinite(q["precision"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
