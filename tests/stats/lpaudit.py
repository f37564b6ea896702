"""What an attacker can infer from published tables, by linear programming.

Variables: every cell of every extended grid; a group's total row is one set of variables.
Equations: the margins, and each published value. Bounds: non-negative.
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
