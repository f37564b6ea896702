"""What an attacker can infer from published tables, by linear programming.

Variables: every cell of every extended grid; a group's total row is one set of variables.
Equations: the margins, and each published value. Bounds: non-negative. Several releases of
one series are several sets of variables in one system (release 0, 1, …); the attacker
subtracts them (difference_range, differencing_violations).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from advocacy.stats.suppression import Grid


class System:
    """The linear system an attacker can write down from one or more releases."""

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.true: list[int] = []
        self.rows: list[dict[int, float]] = []
        self.rhs: list[float] = []

    def var(self, release: int, grid: Grid, r: int, c: int) -> int:
        if grid.group and grid.col_totals and r == grid.n_rows:
            key = (release, "group", grid.group, c)
        else:
            key = (release, grid.key, r, c)
        if key not in self.index:
            self.index[key] = len(self.true)
            self.true.append(grid.value((r, c)))
        return self.index[key]

    def add_release(self, grids: list[Grid], release: int = 0) -> None:
        for grid in grids:
            ext = grid.extended()
            R, C = len(ext), len(ext[0])
            v = {(r, c): self.var(release, grid, r, c) for r in range(R) for c in range(C)}
            if grid.row_totals:
                for r in range(R):
                    eq = {v[(r, c)]: 1.0 for c in range(C - 1)}
                    eq[v[(r, C - 1)]] = -1.0
                    self.rows.append(eq)
                    self.rhs.append(0)
            if grid.col_totals:
                for c in range(C):
                    eq = {v[(r, c)]: 1.0 for r in range(R - 1)}
                    eq[v[(R - 1, c)]] = -1.0
                    self.rows.append(eq)
                    self.rhs.append(0)
            for cell, j in v.items():
                if cell not in grid.hidden:
                    self.rows.append({j: 1.0})
                    self.rhs.append(grid.value(cell))

    def range_of(self, objective: dict[int, float]) -> tuple[float, float]:
        """Return the min and max of a linear objective over every consistent table."""
        n = len(self.true)
        a_eq = np.zeros((len(self.rows), n))
        for i, eq in enumerate(self.rows):
            for j, coef in eq.items():
                a_eq[i, j] += coef
        b_eq = np.array(self.rhs, dtype=float)
        out = []
        for sense in (1, -1):
            cost = np.zeros(n)
            for j, coef in objective.items():
                cost[j] = sense * coef
            res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if res.status == 3:
                out.append(float("inf") * -sense)
            else:
                assert res.status == 0, res.message
                out.append(sense * res.fun)
        return out[0], out[1]


def hidden_ranges(grids: list[Grid]) -> dict[tuple[str, int, int], tuple[float, float, int]]:
    """Return {(table, r, c): (lo, hi, true)} for every hidden cell, given all that is published."""
    system = System()
    system.add_release(grids)
    result = {}
    for grid in grids:
        for r, c in sorted(grid.hidden):
            j = system.var(0, grid, r, c)
            lo, hi = system.range_of({j: 1.0})
            result[(grid.key, r, c)] = (lo, hi, system.true[j])
    return result


def difference_range(before: list[Grid], after: list[Grid], key: str, cell) -> tuple[float, float]:
    """Return the range of (after − before) of one cell, given both releases."""
    system = System()
    system.add_release(before, 0)
    system.add_release(after, 1)
    grid_before = next(g for g in before if g.key == key)
    grid_after = next(g for g in after if g.key == key)
    j0 = system.var(0, grid_before, *cell)
    j1 = system.var(1, grid_after, *cell)
    return system.range_of({j1: 1.0, j0: -1.0})


def changed_cells(before: list[Grid], after: list[Grid]) -> list[tuple[str, tuple[int, int]]]:
    """Return (table, cell) of every extended cell whose true count differs between releases."""
    old = {g.key: g for g in before}
    out = []
    for grid in after:
        prior = old.get(grid.key)
        if prior is None or (prior.n_rows, prior.n_cols) != (grid.n_rows, grid.n_cols):
            continue
        out += [(grid.key, p) for p in grid.all_cells() if grid.value(p) != prior.value(p)]
    return out


def differencing_violations(before: list[Grid], after: list[Grid], k: int) -> list[tuple]:
    """Return what the two releases, differenced, reveal of a change below k (empty: nothing).

    1. A cell whose count moved by 1..k−1: both releases together must admit no change in it
       (the one person who moved could be in another cell).
    2. The 0→non-zero rule: a cell shown as 0 in the first release is, in the second, shown
       as 0 or as k or more, or hidden with 0 still consistent with both releases.
    """
    found = []
    old = {g.key: g for g in before}
    for key, cell in changed_cells(before, after):
        change = next(g for g in after if g.key == key).value(cell) - old[key].value(cell)
        if not 0 < abs(change) < k:
            continue
        lo, hi = difference_range(before, after, key, cell)
        if lo > 1e-6 or hi < -1e-6:
            found.append(("change", key, cell, lo, hi))
    for grid in after:
        prior = old.get(grid.key)
        if prior is None or (prior.n_rows, prior.n_cols) != (grid.n_rows, grid.n_cols):
            continue
        for cell in prior.all_cells():
            if cell in prior.hidden or prior.value(cell) != 0:
                continue
            if cell not in grid.hidden:
                if 0 < grid.value(cell) < k:
                    found.append(("zero shown small", grid.key, cell))
                continue
            lo, _hi = difference_range(before, after, grid.key, cell)
            if lo > 1e-6:
                found.append(("zero turned non-zero", grid.key, cell, lo))
    return found
