"""Primary and complementary suppression of small counts, without any solver at run time.

A table is an R×C grid of counts with, optionally, a total column (row_totals) and a total row
(col_totals); the margins are published cells like any other and are suppressed like any other.
Cells are addressed (r, c) in the *extended* grid: r == R is the total row, c == C the total
column.

Protection criterion (tested with linear programming in tests/stats): for every hidden cell,
the set of values consistent with everything published (the other published cells, the
additive margins, non-negativity; across every table sharing margins in one report) is an
interval [lo, hi] with hi − lo ≥ k.

How it is guaranteed: a hidden cell is *protected* when some direction d in the null space of
the table's margin equations moves it by one, touches only hidden cells, and can be followed
for k steps without driving any cell below zero (every cell d lowers holds at least k). Then
true + k·d is also consistent, so hi − lo ≥ k. The directions used are the elementary ones:
4-cycles in the extended grid (both margins), or pairs on one line (one margin). Unprotected
cells get the cheapest direction completed by hiding more cells, until nothing changes.

Tables of one report that share their total row (consultations by sex, by age…, all with the
same new/continuing totals) form a group: their total row is one set of variables. Inner cells
are protected only by directions that leave that row alone; a hidden total-row cell is hidden
in every table of the group together with the grand total, and each table gets a row whose cell
and row total are hidden too, so the all-positive cycle (cell, row total, column total, grand
total) moves consistently in every table at once.

Last, a hidden cell on a line whose published total is 0 is shown: it is 0 for anyone, and
only a year with very few cases has such lines among its hidden cells.

Across releases of one series (the same fiscal year, released again later): the attacker holds
every release and subtracts. A cell shown in an earlier release whose count moved by 1..k−1
is hidden now (shown in both, the difference would be exact), and every hidden cell whose
count differs from an earlier release by 1..k−1 must be able to take that earlier count
again: its direction must be followable that far the other way (``earlier`` in suppress()).
Then the difference of any two releases admits 0 in every cell a small change touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Cell = tuple[int, int]
Direction = tuple[tuple[Cell, int], ...]


@dataclass
class Grid:
    """The counts of one table and what is hidden; ``hidden`` is filled by suppress()."""

    key: str
    cells: list[list[int]]
    row_totals: bool = True
    col_totals: bool = True
    group: str | None = None
    hidden: set[Cell] = field(default_factory=set)
    # extended() kept for value(), which suppression asks hundreds of times a table; the
    # counts of a grid are fixed once it is built (only ``hidden`` changes).
    _values: list[list[int]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def extended(self) -> list[list[int]]:
        """Return the grid with its published margins appended."""
        rows = [list(row) + ([sum(row)] if self.row_totals else []) for row in self.cells]
        if self.col_totals and rows:
            rows.append([sum(col) for col in zip(*rows, strict=True)])
        return rows

    def value(self, cell: Cell) -> int:
        if self._values is None:
            self._values = self.extended()
        return self._values[cell[0]][cell[1]]

    def all_cells(self) -> list[Cell]:
        ext = self.extended()
        return [(r, c) for r in range(len(ext)) for c in range(len(ext[0]))]

    def is_margin_row(self, r: int) -> bool:
        return self.col_totals and r == self.n_rows


def _sign(grid: Grid, cell: Cell) -> int:
    """Map a cycle in the zero-sum (y) grid to the counts: single margins flip sign."""
    on_total_row = grid.col_totals and cell[0] == grid.n_rows
    on_total_col = grid.row_totals and cell[1] == grid.n_cols
    return -1 if on_total_row != on_total_col else 1


def _directions(grid: Grid, cell: Cell, *, avoid_total_row: bool) -> list[Direction]:
    """Return the elementary directions through cell (one orientation each)."""
    rows = grid.n_rows + (1 if grid.col_totals else 0)
    cols = grid.n_cols + (1 if grid.row_totals else 0)
    r, c = cell
    allowed_rows = [i for i in range(rows) if not (avoid_total_row and grid.is_margin_row(i))]
    found: list[Direction] = []
    if grid.row_totals and grid.col_totals:
        for r2 in allowed_rows:
            if r2 == r:
                continue
            for c2 in range(cols):
                if c2 == c:
                    continue
                corners = (((r, c), 1), ((r, c2), -1), ((r2, c2), 1), ((r2, c), -1))
                found.append(tuple((p, s * _sign(grid, p)) for p, s in corners))
    elif grid.col_totals:  # one constraint per column
        for r2 in allowed_rows:
            if r2 != r:
                found.append((((r, c), 1), ((r2, c), -_sign1d(grid, (r, c), (r2, c)))))
    elif grid.row_totals:  # one constraint per row
        for c2 in range(cols):
            if c2 != c:
                found.append((((r, c), 1), ((r, c2), -_sign1d(grid, (r, c), (r, c2)))))
    return found


def _sign1d(grid: Grid, a: Cell, b: Cell) -> int:
    """Return +1 when raising a must lower b on their line, −1 when b rises with it."""
    is_total = (
        (lambda p: p[0] == grid.n_rows) if grid.col_totals else (lambda p: p[1] == grid.n_cols)
    )
    return -1 if is_total(a) != is_total(b) else 1


Moves = dict[Cell, set[int]]


def _cost(
    grid: Grid, direction: Direction, orientation: int, k: int, moves: Moves | None = None
) -> int | None:
    """Return what completing direction would hide, or None if it cannot be followed k steps.

    moves: per cell, the signed changes (earlier count − now) the direction must also allow,
    the other way if need be, so that a hidden cell can take back an earlier release's count.
    """
    cost = 0
    for cell, sign in direction:
        value = grid.value(cell)
        if sign * orientation < 0 and value < k:
            return None
        if cell not in grid.hidden:
            cost += value + 1  # +1: prefer fewer cells, even zeros
    for cell, sign in direction:
        for move in (moves or {}).get(cell, ()):
            # Follow the direction |move| steps in the orientation that moves cell by move.
            along = 1 if move * sign > 0 else -1
            if any(s * along < 0 and grid.value(p) < abs(move) for p, s in direction):
                return None
    return cost


def _protect(
    grid: Grid, cell: Cell, k: int, *, avoid_total_row: bool, moves: Moves | None = None
) -> bool:
    """Hide what the cheapest direction through cell needs; return True if anything changed."""
    if not grid.row_totals and not grid.col_totals:
        # No margin: nothing published constrains the cell, hiding it is enough (a figure, the
        # 延べ件数/実人数 table); hiding its neighbours too would protect nothing more.
        return False
    best: tuple[int, Direction] | None = None
    # Only this cell's own moves bind its direction; a partner's moves are its own business.
    own = {cell: moves[cell]} if moves and cell in moves else None
    for direction in _directions(grid, cell, avoid_total_row=avoid_total_row):
        for orientation in (1, -1):
            cost = _cost(grid, direction, orientation, k, own)
            if cost is None:
                continue
            if cost == 0:
                return False  # already protected
            if best is None or cost < best[0]:
                best = (cost, direction)
    if best is None:
        # No direction avoids the shared total row: hide the whole table but that row.
        before = len(grid.hidden)
        grid.hidden |= {p for p in grid.all_cells() if not grid.is_margin_row(p[0])}
        return len(grid.hidden) != before
    grid.hidden |= {p for p, _s in best[1]}
    return True


def _down(moves: Moves | None, *cells: Cell) -> int:
    """Return how far the cells must be able to fall to take back an earlier release's count."""
    return max([-m for p in cells for m in (moves or {}).get(p, ()) if m < 0], default=0)


def _can_fall(grid: Grid, r: int, c: int, need: int) -> bool:
    """Return True if row r can carry a fall of need in column c (its cell and row total)."""
    C = grid.n_cols
    return grid.value((r, c)) >= need and (not grid.row_totals or grid.value((r, C)) >= need)


def _group_pass(grids: Sequence[Grid], moves: dict[str, Moves] | None = None) -> bool:
    """Make shared total rows consistent and movable in every table; return True if changed."""
    moves = moves or {}
    changed = False
    for grid in grids:
        if not grid.col_totals:
            continue
        R = grid.n_rows
        hidden_cols = {c for (r, c) in grid.hidden if r == R}
        for other in grids:
            if other is grid:
                continue
            for c in hidden_cols:
                if (other.n_rows, c) not in other.hidden:
                    other.hidden.add((other.n_rows, c))
                    changed = True
    for grid in grids:
        if not grid.col_totals:
            continue
        R, C = grid.n_rows, grid.n_cols
        total_col = C if grid.row_totals else None
        hidden_cols = {c for (r, c) in grid.hidden if r == R and c != total_col}
        if not hidden_cols and (R, C) in grid.hidden and grid.row_totals:
            # The grand total alone would be the sum of the published column totals.
            hidden_cols = {min(range(C), key=lambda c: grid.value((R, c)))}
            grid.hidden.add((R, next(iter(hidden_cols))))
            changed = True
        if not hidden_cols:
            continue
        if grid.row_totals and (R, C) not in grid.hidden:
            grid.hidden.add((R, C))
            changed = True
        for c in hidden_cols:
            # The carrier row falls with the total when an earlier release counted fewer.
            need = _down(moves.get(grid.key), (R, c), (R, C))

            able = {i for i in range(R) if _can_fall(grid, i, c, need)}
            carriers = [(r, c) for r in range(R) if r in able]
            if any(
                p in grid.hidden and (not grid.row_totals or (p[0], C) in grid.hidden)
                for p in carriers
            ):
                continue
            r = min(
                range(R),
                key=lambda i: (
                    i not in able,
                    ((i, c) not in grid.hidden) * (grid.value((i, c)) + 1)
                    + (grid.row_totals and (i, C) not in grid.hidden) * (grid.value((i, C)) + 1),
                ),
            )
            grid.hidden.add((r, c))
            if grid.row_totals:
                grid.hidden.add((r, C))
            changed = True
    return changed


Earlier = dict[str, list[dict[Cell, tuple[int, bool]]]]


def _moves(
    grid: Grid, k: int, earlier: list[dict[Cell, tuple[int, bool]]]
) -> tuple[set[Cell], Moves]:
    """Return the cells an earlier release forces hidden, and the moves each must allow."""
    forced: set[Cell] = set()
    moves: Moves = {}
    ext = grid.extended()
    valid = set(grid.all_cells())
    for release in earlier:
        for cell, (count, was_hidden) in release.items():
            if cell not in valid:
                continue
            change = count - ext[cell[0]][cell[1]]
            if not 0 < abs(change) < k:
                continue
            if not was_hidden:
                forced.add(cell)
            moves.setdefault(cell, set()).add(change)
    return forced, moves


def suppress(
    grids: Iterable[Grid],
    k: int,
    previous: dict[str, set[Cell]] | None = None,
    earlier: Earlier | None = None,
) -> None:
    """Hide counts 1..k−1 and enough others that no hidden count moves by less than k.

    previous holds the patterns already published for the same fiscal year: they stay hidden,
    so a later release never shows a cell an earlier one hid. earlier holds, per table, each
    earlier release's {cell: (count, was hidden)}: a count that moved by 1..k−1 since is
    hidden and kept able to return to the earlier count (see the module's docstring).
    """
    grids = list(grids)
    previous = previous or {}
    moves: dict[str, Moves] = {}
    for grid in grids:
        valid = set(grid.all_cells())
        grid.hidden = {p for p in valid if 0 < grid.value(p) < k}
        grid.hidden |= previous.get(grid.key, set()) & valid
        forced, moves[grid.key] = _moves(grid, k, (earlier or {}).get(grid.key, []))
        grid.hidden |= forced
    groups: dict[str, list[Grid]] = {}
    for grid in grids:
        if grid.group and grid.col_totals:
            groups.setdefault(grid.group, []).append(grid)
    changed = True
    while changed:
        changed = False
        for grid in grids:
            grouped = grid.group in groups
            for cell in sorted(grid.hidden):
                if grouped and grid.is_margin_row(cell[0]):
                    continue
                if _protect(grid, cell, k, avoid_total_row=grouped, moves=moves[grid.key]):
                    changed = True
        for members in groups.values():
            if _group_pass(members, moves):
                changed = True
    kept = {grid.key: previous.get(grid.key, set()) for grid in grids}
    while _publish_forced_zeros(grids, kept):
        pass


def _publish_forced_zeros(grids: Sequence[Grid], kept: dict[str, set[Cell]]) -> bool:
    """Show hidden cells on a line whose published total is 0; return True if any was shown.

    Counts are never negative, so every cell on such a line is 0 and anyone can work that out:
    hiding them protects nothing and would let a reader "recompute" a hidden cell. Cells an
    earlier release of the year hid stay hidden.
    """
    changed = False
    for grid in grids:
        ext = grid.extended()
        lines: list[tuple[Cell, list[Cell]]] = []
        if grid.row_totals:
            C = grid.n_cols
            lines += [((r, C), [(r, c) for c in range(C)]) for r in range(len(ext))]
        if grid.col_totals:
            R = grid.n_rows
            lines += [((R, c), [(r, c) for r in range(R)]) for c in range(len(ext[0]))]
        for total, cells in lines:
            if total in grid.hidden or grid.value(total) != 0:
                continue
            shown = {p for p in cells if p in grid.hidden and p not in kept[grid.key]}
            if shown:
                grid.hidden -= shown
                changed = True
    return changed
