"""Suppression: no published count in 1..k−1, and every hidden count's feasible range ≥ k wide."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.stats.suppression import Grid, suppress
from tests.stats.lpaudit import differencing_violations, hidden_ranges

K = 5
counts = st.one_of(st.integers(0, 6), st.integers(0, 60))
# Tables of a year with very few cases, where whole lines add up to zero.
tiny_counts = st.one_of(st.integers(0, 1), st.integers(0, 5), st.integers(0, 12))


def _assert_safe(grids: list[Grid], k: int = K) -> None:
    for grid in grids:
        for cell in grid.all_cells():
            if cell not in grid.hidden:
                assert not 0 < grid.value(cell) < k, (grid.key, cell)
    for key, (lo, hi, true) in hidden_ranges(grids).items():
        assert lo <= true <= hi, key
        assert hi - lo >= k - 1e-6, (key, lo, hi, true)


@st.composite
def grid_sets(draw, counts=counts):
    """One to three tables; sometimes a group sharing the total row."""
    shape = draw(st.sampled_from(["both", "col", "row"]))
    n_tables = draw(st.integers(1, 3)) if shape == "both" else 1
    n_cols = draw(st.integers(1 if shape == "col" else 2, 4))
    grouped = n_tables > 1
    grids = []
    column_totals = None
    for t in range(n_tables):
        n_rows = draw(st.integers(2, 5))
        cells = [[draw(counts) for _ in range(n_cols)] for _ in range(n_rows)]
        if grouped:
            # Tables of one group share their column totals: rebuild the last row to match.
            if column_totals is None:
                column_totals = [sum(col) for col in zip(*cells, strict=True)]
            else:
                for c in range(n_cols):
                    rest = sum(row[c] for row in cells[:-1])
                    if rest > column_totals[c]:
                        for row in cells[:-1]:
                            row[c] = 0
                        rest = 0
                    cells[-1][c] = column_totals[c] - rest
        grids.append(
            Grid(
                key=f"t{t}",
                cells=cells,
                row_totals=shape in ("both", "row"),
                col_totals=shape in ("both", "col"),
                group="g" if grouped else None,
            )
        )
    return grids


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_sets())
def test_random_tables_are_protected(grids):
    suppress(grids, K)
    _assert_safe(grids)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_sets(counts=tiny_counts))
def test_random_tiny_tables_are_protected(grids):
    suppress(grids, K)
    _assert_safe(grids)


def test_a_line_that_adds_up_to_zero_is_shown():
    # Column 0 of the shared total row is 0, so both tables' column 0 is 0 for anyone.
    grids = [Grid(key=f"t{i}", cells=[[0, 0], [0, 1]], group="g") for i in range(2)]
    suppress(grids, K)
    _assert_safe(grids)
    assert all((0, 0) not in g.hidden and (1, 0) not in g.hidden for g in grids)
    assert all((1, 1) in g.hidden for g in grids)


def test_a_single_small_cell_takes_partners_that_can_absorb_k():
    grid = Grid(key="t", cells=[[1, 20], [30, 40], [12, 9]])
    suppress([grid], K)
    assert (0, 0) in grid.hidden
    assert len(grid.hidden) >= 4
    _assert_safe([grid])


def test_zeros_are_shown_and_large_tables_untouched():
    grid = Grid(key="t", cells=[[0, 20], [30, 40]])
    suppress([grid], K)
    assert grid.hidden == set()


def test_an_earlier_pattern_stays_hidden():
    grid = Grid(key="t", cells=[[10, 20], [30, 40], [12, 9]])
    suppress([grid], K, previous={"t": {(0, 0)}})
    assert (0, 0) in grid.hidden
    _assert_safe([grid])


def test_the_threshold_is_a_parameter():
    grid = Grid(key="t", cells=[[7, 20], [30, 40], [12, 9]])
    suppress([grid], 10)
    assert (0, 0) in grid.hidden
    _assert_safe([grid], 10)


def _earlier(grids: list[Grid]) -> dict:
    return {g.key: [{p: (g.value(p), p in g.hidden) for p in g.all_cells()}] for g in grids}


@st.composite
def release_pairs(draw, counts=counts):
    """Release A, then B: the same tables with one record added (or removed) in every table."""
    before = draw(grid_sets(counts=counts))
    after = [
        Grid(
            key=g.key,
            cells=[list(row) for row in g.cells],
            row_totals=g.row_totals,
            col_totals=g.col_totals,
            group=g.group,
        )
        for g in before
    ]
    # One person: one column for all (the shared total row), one row in each table.
    c = draw(st.integers(0, after[0].n_cols - 1))
    holders = [[r for r in range(g.n_rows) if g.cells[r][c] > 0] for g in after]
    remove = all(holders) and draw(st.booleans())
    for grid, rows in zip(after, holders, strict=True):
        r = draw(st.sampled_from(rows)) if remove else draw(st.integers(0, grid.n_rows - 1))
        grid.cells[r][c] += -1 if remove else 1
    return before, after


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(release_pairs())
def test_two_releases_one_record_apart_reveal_no_small_change(pair):
    before, after = pair
    suppress(before, K)
    suppress(after, K, {g.key: set(g.hidden) for g in before}, _earlier(before))

    _assert_safe(after)
    assert differencing_violations(before, after, K) == []


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(release_pairs(counts=tiny_counts))
def test_two_tiny_releases_one_record_apart_reveal_no_small_change(pair):
    before, after = pair
    suppress(before, K)
    suppress(after, K, {g.key: set(g.hidden) for g in before}, _earlier(before))

    _assert_safe(after)
    assert differencing_violations(before, after, K) == []


def test_a_count_shown_before_that_moved_by_one_is_hidden_and_can_move_back():
    before = [Grid(key="t", cells=[[10, 20], [30, 40], [12, 9]])]
    suppress(before, K)
    assert before[0].hidden == set()
    after = [Grid(key="t", cells=[[11, 20], [30, 40], [12, 9]])]

    suppress(after, K, {"t": set()}, _earlier(before))

    assert (0, 0) in after[0].hidden
    assert differencing_violations(before, after, K) == []


def test_a_table_without_margins_hides_only_its_small_cells():
    grid = Grid(key="t", cells=[[3, 40], [30, 20]], row_totals=False, col_totals=False)
    suppress([grid], K)
    assert grid.hidden == {(0, 0)}
    _assert_safe([grid])
