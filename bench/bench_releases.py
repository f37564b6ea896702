"""Measure the ways of protecting a series of releases against differencing (decision 50).

Run: .venv/bin/python bench/bench_releases.py [seeds] [consultations]   (default 30 300)

No database: invented consultations of one fiscal year (demo scale, a mid-sized city's core
agency: about 300 a year) with five single-valued attributes (referrer, age group, sex,
household, area) and 新規/継続, counted into the five consultation tables of the report
(attribute × 新規/継続, both margins, one shared total row). For each seed:

- the attack of issue 15: release A, add one consultation with a rare combination, release
  B; how many of the six attributes of that person the attacker reads (LP over both
  releases for the suppression methods; for the noisy methods, what the published values
  prove — the attacker knows one record was added);
- the ordinary pair: a mid-year release (the first half of the year) and the final one;
  what the final release loses (cells hidden, or the mean error of a published cell).

Methods: per-release suppression (the earlier pattern kept; the code before decision 50),
suppression across releases (decision 50), ABS-style cell-key perturbation (noise from the
sum of per-record keys: the same cell always gets the same noise), and unbiased random
rounding to base 5 drawn afresh for each release.
"""

from __future__ import annotations

import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.optimize import linprog  # noqa: E402

from advocacy.stats.suppression import Grid, suppress  # noqa: E402
from tests.stats.lpaudit import System, difference_range  # noqa: E402

SEEDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
K = 5
ATTRS = {
    "referrer": [30, 20, 15, 10, 8, 6, 4, 3, 2, 2],
    "age": [10, 30, 40, 20],
    "sex": [55, 44, 1],
    "household": [40, 30, 20, 8, 2],
    "area": [30, 25, 20, 15, 8, 2],
}
NEW_SHARE = 0.7


def person(rng: random.Random) -> dict[str, int]:
    p = {a: rng.choices(range(len(w)), weights=w)[0] for a, w in ATTRS.items()}
    p["col"] = 0 if rng.random() < NEW_SHARE else 1
    return p


def rare() -> dict[str, int]:
    """The rarest value of every attribute, 新規."""
    return {**{a: len(w) - 1 for a, w in ATTRS.items()}, "col": 0}


def grids(records: list[dict[str, int]]) -> list[Grid]:
    out = []
    for attr, weights in ATTRS.items():
        cells = [[0, 0] for _ in weights]
        for rec in records:
            cells[rec[attr]][rec["col"]] += 1
        out.append(Grid(key=attr, cells=cells, group="consultations"))
    return out


def earlier(before: list[Grid]) -> dict:
    return {g.key: [{p: (g.value(p), p in g.hidden) for p in g.all_cells()}] for g in before}


def suppress_pair(before_records, after_records, *, across: bool):
    before = grids(before_records)
    suppress(before, K)
    after = grids(after_records)
    suppress(
        after,
        K,
        {g.key: set(g.hidden) for g in before},
        earlier(before) if across else None,
    )
    return before, after


def read_by_lp(before, after, who) -> int:
    """Count the attributes of who that both releases prove (a cell's change excludes 0)."""
    read = 0
    for grid in after:
        r = who[grid.key]
        lo, _hi = difference_range(before, after, grid.key, (r, grid.n_cols))
        read += lo > 1e-6
    lo, _hi = difference_range(before, after, after[0].key, (after[0].n_rows, who["col"]))
    return read + (lo > 1e-6)


def read_by_lp_monotone(before, after, who) -> int:
    """As read_by_lp, for an attacker who also knows no record left: B ≥ A in every cell."""
    system = System()
    system.add_release(before, 0)
    system.add_release(after, 1)
    pairs = [
        (system.var(0, g0, *p), system.var(1, g1, *p))
        for g0, g1 in zip(before, after, strict=True)
        for p in g1.all_cells()
    ]
    n = len(system.true)
    a_eq = np.zeros((len(system.rows), n))
    for i, eq in enumerate(system.rows):
        for j, coef in eq.items():
            a_eq[i, j] += coef
    a_ub = np.zeros((len(pairs), n))
    for i, (j0, j1) in enumerate(pairs):
        a_ub[i, j0], a_ub[i, j1] = 1.0, -1.0  # A − B ≤ 0
    read = 0
    for g0, g1 in zip(before, after, strict=True):
        cell = (who[g1.key], g1.n_cols)
        cost = np.zeros(n)
        cost[system.var(1, g1, *cell)], cost[system.var(0, g0, *cell)] = 1.0, -1.0
        res = linprog(
            cost,
            A_ub=a_ub,
            b_ub=np.zeros(len(pairs)),
            A_eq=a_eq,
            b_eq=np.array(system.rhs, dtype=float),
            bounds=(0, None),
            method="highs",
        )
        read += res.fun > 1e-6
    return read


def hidden_share(after: list[Grid]) -> tuple[int, int]:
    inner = [(g, (r, c)) for g in after for r in range(g.n_rows) for c in range(g.n_cols)]
    nonzero = [(g, p) for g, p in inner if g.value(p) > 0]
    return sum(p in g.hidden for g, p in nonzero), len(nonzero)


# --- cell-key perturbation, in the manner of the ABS TableBuilder -------------------------
KEY_RANGE = 256
# Noise by cell key: the same key always gives the same noise (a ptable of one row for
# every count above 2; counts 1 and 2 become 0 or 3, zeros stay 0).
PTABLE = [(-2, 0.05), (-1, 0.20), (0, 0.50), (1, 0.20), (2, 0.05)]


def noise(value: int, key: int) -> int:
    if value == 0:
        return 0
    u, acc, shift = key / KEY_RANGE, 0.0, PTABLE[-1][0]
    for step, p in PTABLE:
        acc += p
        if u < acc:
            shift = step
            break
    out = max(0, value + shift)
    if 0 < out < 3:
        out = 0 if u < 0.5 else 3
    return out


def cellkey_tables(records, keys) -> dict[str, list[list[int]]]:
    """Publish every inner cell and row total with its own noise (no additivity)."""
    out = {}
    for attr, weights in ATTRS.items():
        rows = []
        for r in range(len(weights)):
            row = []
            for c in (0, 1, None):
                members = [
                    i
                    for i, rec in enumerate(records)
                    if rec[attr] == r and (c is None or rec["col"] == c)
                ]
                value = len(members)
                row.append(noise(value, sum(keys[i] for i in members) % KEY_RANGE))
            rows.append(row)
        out[attr] = rows
    return out


def read_by_cellkey(before, after, who) -> int:
    """The attacker knows one record was added: a cell whose published value moved holds it."""
    read = 0
    for attr in ATTRS:
        moved = {
            r for r, (a, b) in enumerate(zip(before[attr], after[attr], strict=True)) if a != b
        }
        read += moved == {who[attr]}
    return read


# --- random rounding to base 5, drawn afresh per release ---------------------------------
def rounded(value: int, rng: random.Random, base: int = 5) -> int:
    low = value - value % base
    return low + base if rng.random() < (value % base) / base else low


def read_by_rounding(before_records, after_records, who, rng) -> tuple[int, float]:
    """The attacker's intervals: a count published as v is in [v−4, v+4] (exactly 0 stays 0)."""
    read, errors = 0, []
    for attr in ATTRS:
        a, b = grids(before_records), grids(after_records)
        ga = next(g for g in a if g.key == attr)
        gb = next(g for g in b if g.key == attr)
        r = who[attr]
        va, vb = ga.value((r, ga.n_cols)), gb.value((r, gb.n_cols))
        pa, pb = rounded(va, rng), rounded(vb, rng)
        errors += [abs(pb - vb)]
        # The change is proved ≥ 1 when the intervals cannot overlap.
        read += (pb - 4) - (pa + 4) > 0
    return read, statistics.mean(errors)


def main() -> None:
    results: dict[str, list] = {m: [] for m in ("per-release", "across", "cell-key", "rounding")}
    loss: dict[str, list] = {m: [] for m in results}
    alone: list[float] = []
    monotone: list[int] = []
    for seed in range(SEEDS):
        rng = random.Random(seed)
        year = [person(rng) for _ in range(N)]
        who = rare()
        attacked = [*year, who]
        for method, across in (("per-release", False), ("across", True)):
            before, after = suppress_pair(year, attacked, across=across)
            results[method].append(read_by_lp(before, after, who))
            if across:
                monotone.append(read_by_lp_monotone(before, after, who))
            _b, final = suppress_pair(year[: N // 2], year, across=across)
            hidden, nonzero = hidden_share(final)
            loss[method].append(hidden / nonzero)
        single = grids(year)
        suppress(single, K)
        hidden, nonzero = hidden_share(single)
        alone.append(hidden / nonzero)
        keys = [rng.randrange(KEY_RANGE) for _ in attacked]
        results["cell-key"].append(
            read_by_cellkey(cellkey_tables(year, keys), cellkey_tables(attacked, keys), who)
        )
        published = cellkey_tables(year, keys)
        true = {
            g.key: [[g.value((r, c)) for c in range(3)] for r in range(g.n_rows)]
            for g in grids(year)
        }
        errs = [
            abs(p - t)
            for attr in ATTRS
            for prow, trow in zip(published[attr], true[attr], strict=True)
            for p, t in zip(prow, trow, strict=True)
        ]
        loss["cell-key"].append(statistics.mean(errs))
        read, err = read_by_rounding(year, attacked, who, rng)
        results["rounding"].append(read)
        loss["rounding"].append(err)
    print(f"{SEEDS} seeds, {N} consultations a year, k = {K}; six attributes of the rare case")
    print("| method | attributes read (mean, max of 6) | seeds with any read | loss in the final |")
    print("|---|---|---|---|")
    for method in results:
        reads = results[method]
        unit = "of non-zero cells hidden" if method in ("per-release", "across") else "mean |error|"
        value = statistics.mean(loss[method])
        shown = f"{100 * value:.1f}% {unit}" if "hidden" in unit else f"{value:.2f} ({unit})"
        print(
            f"| {method} | {statistics.mean(reads):.2f}, {max(reads)} | "
            f"{sum(r > 0 for r in reads)}/{SEEDS} | {shown} |"
        )

    print(
        f"Across releases, an attacker who also assumes no record left (B ≥ A) reads "
        f"{statistics.mean(monotone):.2f} attributes (max {max(monotone)})."
    )
    print(
        f"For comparison, the final release alone (no earlier release): "
        f"{100 * statistics.mean(alone):.1f}% of non-zero cells hidden."
    )


if __name__ == "__main__":
    main()
