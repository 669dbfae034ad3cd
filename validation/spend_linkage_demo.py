"""Check the invoice-contract linker against the demo corpus's known links.

Generates the demo corpus (its invoices carry their true contract in the
extra table ``spend_truth``), links the invoices with
:func:`keino_metrics.spend.link.link_spend` and prints precision (linked
invoices whose link is the true one / linked invoices) and recall (invoices
linked to their true link / invoices under a noticed contract) at three
levels:

* **contract**: the award of one result notice to the supplier (the eForms
  settled contract, the linker's unit);
* **lot, identifiable**: the same invoices restricted to those whose true lot
  (if any) is the only lot its supplier won in that notice, where a lot can
  be told from an invoice at all (invoices name no lot);
* **lot, named**: every invoice, counting a link correct only when the
  linker names the true lot (``lot_linked``), and the most probable lot of
  every linked invoice for comparison.

It then prints the share of spend under innovative, green and social
contracts, estimated (``SPEND-*`` indicators, with intervals) and true.

Run from the repository root::

    python -m validation.spend_linkage_demo --seed 2024 --scale 0.1
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import keino_metrics as km
from keino_metrics.spend.frame import contract_flags
from keino_metrics.spend.link import LinkRules, link_spend

#: Aims of the linker: precision and recall.
AIMS = (0.95, 0.90)


def _pr(correct: np.ndarray, linked: np.ndarray, under: np.ndarray) -> tuple[float, float]:
    return (float(correct.sum() / max(linked.sum(), 1)),
            float(correct.sum() / max(under.sum(), 1)))


def sibling_lots(flags: pd.DataFrame) -> set[str]:
    """Lots (``notice_id/lot_id``) whose winner won another lot of the same notice."""
    lr = flags.loc[flags["winner_id"].notna()]
    n = lr.groupby(["notice_id", "winner_id"])["contract"].transform("size")
    return set(lr.loc[n > 1, "contract"])


def linkage_quality(data: km.Dataset, rules: LinkRules | None = None) -> dict[str, float]:
    """Precision, recall and counts of the linker on a generated dataset, at each level."""
    flags = contract_flags(data)
    links, _ = link_spend(data.spend, flags, data.buyers, rules)
    truth = data.extra["spend_truth"]
    true_c = truth["contract"].to_numpy(dtype=object)
    got = links["contract"].to_numpy(dtype=object)
    linked = pd.notna(got)
    under = pd.notna(true_c)
    true_n = pd.Series(true_c).str.split("/", n=1).str[0].to_numpy(dtype=object)
    correct = linked & under & (links["notice_id"].to_numpy(dtype=object) == true_n)
    lot_correct = linked & under & (got == true_c)
    named = linked & links["lot_linked"].to_numpy(bool)
    ident = ~pd.Series(true_c).isin(sibling_lots(flags)).to_numpy()
    out = {"invoices": len(truth), "under_contract": int(under.sum()),
           "linked": int(linked.sum()), "correct": int(correct.sum()),
           "lots_named": int(named.sum()), "identifiable": int((under & ident).sum())}
    out["precision"], out["recall"] = _pr(correct, linked, under)
    out["ident_precision"], out["ident_recall"] = _pr(lot_correct & ident, linked & ident,
                                                      under & ident)
    out["named_precision"], out["named_recall"] = _pr(lot_correct & named, named, under)
    out["lot_precision"], out["lot_recall"] = _pr(lot_correct, linked, under)
    return out


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


def meets_aims(q: dict[str, float]) -> bool:
    """Whether contract and identifiable-lot links reach :data:`AIMS`."""
    return all(q[f"{lvl}precision"] >= AIMS[0] and q[f"{lvl}recall"] >= AIMS[1]
               for lvl in ("", "ident_"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--scale", type=float, default=0.1)
    a = ap.parse_args(argv)
    data = km.demo.generate(seed=a.seed, scale=a.scale, invoices=True)
    q = linkage_quality(data)
    print(f"demo corpus seed={a.seed} scale={a.scale:g}: {q['invoices']:,} invoice rows, "
          f"{q['under_contract']:,} under a noticed contract "
          f"({q['identifiable']:,} under a lot that an invoice can identify)")
    print(f"linked {q['linked']:,}, correctly {q['correct']:,}; lot named {q['lots_named']:,}")
    print(f"aims: precision >= {AIMS[0]}, recall >= {AIMS[1]}")
    for label, k in (("contract (result notice x supplier)", ""),
                     ("lot, identifiable lots only", "ident_"),
                     ("lot, named by the linker", "named_"),
                     ("lot, most probable of each link", "lot_")):
        print(f"{label:<38} precision {q[k + 'precision']:.4f}   recall {q[k + 'recall']:.4f}")
    truth = true_shares(data)
    res = km.compute(["SPEND-COVERED", "SPEND-INNOV", "SPEND-GREEN", "SPEND-SOCIAL"], data)
    print("share of spend          true   estimate  95 % interval")
    for ind, key in (("SPEND-COVERED", "covered"), ("SPEND-INNOV", "innovative"),
                     ("SPEND-GREEN", "green"), ("SPEND-SOCIAL", "social")):
        r = res.to_frame().set_index("indicator_id").loc[ind]
        inside = r["ci_low"] <= truth[key] <= r["ci_high"]
        print(f"{ind:<16}{truth[key]:>12.4f}{r['estimate']:>11.4f}  "
              f"[{r['ci_low']:.4f}, {r['ci_high']:.4f}]{'' if inside else '  (truth outside)'}")
    return 0 if meets_aims(q) else 1


if __name__ == "__main__":
    raise SystemExit(main())
