"""Every path of a flow, generated from its viewflow graph (no database).

A path is what one case can go through: a sequence of moves (complete the oldest open
task, or let an event arrive), and at every If, Switch or conditional Split on the way a
decision (which outgoing edge). ``plan(flow_class, …)`` builds the tree of all of them by
running the graph abstractly, the way viewflow runs it: a Split starts all its branches, a
Join waits for all of them, a Function runs through, an End ends its branch and a
TerminateEnd the process; human tasks and events wait.

The bounds that keep loops finite (each is a rule, nothing is listed by hand):

- a path enters each node at most twice, so every loop is walked once round at most (a
  referral that did not take goes back to triage once; a declined candidate is asked again
  once; a handle re-armed by its own Split waits a second time);
- open tasks are completed oldest first: their order changes no edge;
- a conditional branch of a Split that shares no node with the other branches (an urgent
  case's review beside its intake) is walked both ways, and once taken only the first path
  goes on from it: the branches are independent, so their paths combine, not multiply;
- events are waited for only when no task is open. One waiting event (with the timers
  attached to it) is a decision among them. Several independent ones waiting side by side
  (guardian support) commute: those that cannot end the process come once each, in the
  order they were armed, then the path branches on the ones that end it (a TerminateEnd or
  the start of the next flow reachable from them).

The tests walk these paths through the real URLs and compare the edges they walk (viewflow's
``Task.previous``) with ``Path.edges``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Mapping

from viewflow.workflow import nodes as vf

MAX_VISITS = 2


def graph_edges(flow_class) -> set[tuple[str, str]]:
    """Return the flow's edges as (node, next node) names: every outgoing and boundary edge."""
    edges = set()
    for node in flow_class.instance.nodes():
        for edge in [*node._outgoing(), *node._incoming()]:
            edges.add((edge.src.name, edge.dst.name))
    return edges


def branch_edges(flow_class) -> set[tuple[str, str]]:
    """Return the edges a decision chooses: every If and Switch edge, and conditional Splits'."""
    edges = set()
    for node in flow_class.instance.nodes():
        for edge in node._outgoing():
            if isinstance(node, vf.If | vf.Switch) or edge.edge_class == "cond_true":
                edges.add((node.name, edge.dst.name))
    return edges


def is_human(node) -> bool:
    return isinstance(node, vf.View)


def is_event(node) -> bool:
    return isinstance(node, vf.Handle | vf.Timer) and not isinstance(node, vf.StartHandle)


@dataclasses.dataclass(frozen=True)
class Decision:
    """A gateway's choice: target is the next node (for a Split's condition: taken or not)."""

    gateway: str
    target: str
    taken: bool
    values: Mapping[str, object]

    @property
    def key(self) -> str:
        return self.target if self.taken else f"-{self.target}"

    def __str__(self) -> str:
        return f"{self.gateway}→{self.key}"


@dataclasses.dataclass(frozen=True)
class Move:
    """One thing that happens to the case: kind is 'start', 'task' or 'event'."""

    kind: str
    node: str
    decisions: tuple[Decision, ...] = ()

    def values(self) -> dict[str, object]:
        merged: dict[str, object] = {}
        for decision in self.decisions:
            merged.update(decision.values)
        return merged

    def __str__(self) -> str:
        decided = ", ".join(str(d) for d in self.decisions)
        return f"{self.node}[{decided}]" if decided else self.node


@dataclasses.dataclass
class _State:
    waits: tuple[str, ...] = ()
    visits: Counter = dataclasses.field(default_factory=Counter)
    arrivals: Counter = dataclasses.field(default_factory=Counter)
    fired: frozenset[str] = frozenset()
    edges: frozenset[tuple[str, str]] = frozenset()
    chained: str = ""
    terminated: bool = False

    def copy(self) -> _State:
        return dataclasses.replace(
            self, visits=Counter(self.visits), arrivals=Counter(self.arrivals)
        )


@dataclasses.dataclass
class Step:
    """A node of the tree of paths: the move that led here and what may follow."""

    move: Move | None
    state: _State
    children: list[Step] = dataclasses.field(default_factory=list)

    @property
    def waiting(self) -> Counter:
        """The nodes waiting after this step by name: open tasks, handles, timers, joins."""
        joins = Counter({name: 1 for name, count in self.state.arrivals.items() if count})
        return Counter(self.state.waits) + joins

    @property
    def edges(self) -> frozenset[tuple[str, str]]:
        return self.state.edges

    @property
    def ended(self) -> str:
        if self.state.chained:
            return f"starts {self.state.chained}"
        return "ends" if self.state.terminated or not self.state.waits else "waits"


@dataclasses.dataclass(frozen=True)
class Path:
    moves: tuple[Move, ...]
    edges: frozenset[tuple[str, str]]
    ended: str

    @property
    def name(self) -> str:
        turns = [str(m) for m in self.moves if m.decisions or m.kind == "event"]
        return " / ".join(turns) or "straight"


class Planner:
    """The tree of paths of flow_class.

    branches maps (gateway, target) to the form values that make the gateway choose target
    (a Split's condition not taken: (gateway, "-target")); a list of values selecting the
    same edge is used in turn. chains maps a Function node's name to the flow slug it
    starts.
    """

    def __init__(self, flow_class, *, branches: Mapping, chains: Mapping[str, str]):
        self.flow = flow_class.instance
        self.branches = branches
        self.chains = chains
        self._turns: Counter = Counter()
        incoming = Counter(dst for _src, dst in graph_edges(flow_class))
        self._join_inputs = {
            node.name: incoming[node.name]
            for node in self.flow.nodes()
            if isinstance(node, vf.Join)
        }

    def node(self, name: str):
        return self.flow.node(name, no_obsolete=True)

    # The tree

    def tree(self, *, started_by_user: bool) -> Step:
        """Return the tree; the first move is 'start' when a user starts the flow."""
        forks = self._enter(_State(), self.node("start"), None)
        if started_by_user:
            root = Step(None, _State())
            for state, decisions in forks:
                move = Move("start", "start", decisions)
                child = self._grow(Step(move, state), first_only=self._independent(move))
                if child is not None:
                    root.children.append(child)
            return root
        assert len(forks) == 1 and not forks[0][1], "a chained flow cannot decide at its start"
        step = self._grow(Step(None, forks[0][0]))
        assert step is not None
        return step

    def _grow(self, step: Step, *, first_only: bool = False) -> Step | None:
        """Fill step's children; None if no path goes on from it to an end.

        first_only keeps the first path only (after an independent branch was taken).
        """
        state = step.state
        if state.terminated or not state.waits:
            return step
        options = self._options(state)
        if options is None:  # only events that do not end the process, each come once
            return step
        for kind, name in options:
            for new, decisions in self._happen(state, name):
                move = Move(kind, name, decisions)
                only = first_only or self._independent(move)
                child = self._grow(Step(move, new), first_only=only)
                if child is not None:
                    step.children.append(child)
                    if first_only:
                        return step
        return step if step.children else None

    def _independent(self, move: Move) -> bool:
        """Whether move took a Split's conditional branch that shares no node with the rest."""
        for decision in move.decisions:
            split = self.node(decision.gateway)
            if not (decision.taken and isinstance(split, vf.Split)):
                continue
            others = [e.dst for e in split._outgoing() if e.dst.name != decision.target]
            if not self._reach([self.node(decision.target)]) & self._reach(others):
                return True
        return False

    def _reach(self, starts) -> set[str]:
        seen, todo = set(), list(starts)
        while todo:
            node = todo.pop()
            if node.name not in seen:
                seen.add(node.name)
                todo += [edge.dst for edge in node._outgoing()]
        return seen

    def _options(self, state: _State) -> list[tuple[str, str]] | None:
        for name in state.waits:
            if is_human(self.node(name)):
                return [("task", name)]  # the oldest open task
        hosts = [n for n in state.waits if not isinstance(self.node(n), vf.TimerBoundary)]
        if len(hosts) == 1:
            return [("event", n) for n in self._group(state, hosts[0])]
        for host in hosts:
            if host not in state.fired and not self._ends_process(host):
                return [("event", n) for n in self._group(state, host)]
        ending = [
            ("event", n) for h in hosts if self._ends_process(h) for n in self._group(state, h)
        ]
        return ending or None

    def _group(self, state: _State, host: str) -> list[str]:
        """A waiting event and the timers attached to it: only one of them happens."""
        attached = [b.name for b in self.node(host)._boundary_events]
        return [host, *(b for b in attached if b in state.waits)]

    def _ends_process(self, host: str) -> bool:
        seen, todo = set(), [self.node(host)]
        while todo:
            node = todo.pop()
            for edge in node._outgoing():
                target = edge.dst
                if isinstance(target, vf.TerminateEnd) or target.name in self.chains:
                    return True
                if target.name not in seen and not is_event(target):
                    seen.add(target.name)
                    todo.append(target)
        return False

    # Running the graph

    def _happen(self, state: _State, name: str) -> list[tuple[_State, tuple[Decision, ...]]]:
        node = self.node(name)
        state = state.copy()
        waits = list(state.waits)
        waits.remove(name)
        if isinstance(node, vf.TimerBoundary):
            host = node._attached_to
            waits.remove(host.name)  # an interrupting timer cancels its host
            state.fired |= {host.name}
        else:
            for boundary in node._boundary_events:
                if boundary.name in waits:
                    waits.remove(boundary.name)  # the host's end disarms its timers
            state.fired |= {name}
        state.waits = tuple(waits)
        return self._enter(state, node._next, node)

    def _enter(self, state: _State, node, source) -> list[tuple[_State, tuple[Decision, ...]]]:
        state = state.copy()
        if source is not None:
            state.edges |= {(source.name, node.name)}
        if isinstance(node, vf.Join):
            state.arrivals[node.name] += 1
            if state.arrivals[node.name] < self._join_inputs[node.name]:
                return [(state, ())]
            state.arrivals[node.name] = 0
        state.visits[node.name] += 1
        if state.visits[node.name] > MAX_VISITS:
            return []
        if isinstance(node, vf.End):
            if isinstance(node, vf.TerminateEnd):
                state.waits, state.terminated = (), True
            return [(state, ())]
        if isinstance(node, vf.If | vf.Switch):
            forks = []
            for edge in node._outgoing():
                decision = self._decision(node, edge.dst, taken=True)
                forks += [(s, (decision, *ds)) for s, ds in self._enter(state, edge.dst, node)]
            return forks
        if isinstance(node, vf.Split):
            return self._split(state, node)
        if is_human(node) or is_event(node):
            state.waits += (node.name,)
            for boundary in node._boundary_events:
                state.edges |= {(node.name, boundary.name)}
                state.visits[boundary.name] += 1
                state.waits += (boundary.name,)
            return [(state, ())]
        if node.name in self.chains:
            state.chained = self.chains[node.name]
        # Start, Function, Join: straight on.
        return self._enter(state, node._next, node)

    def _split(self, state: _State, node) -> list[tuple[_State, tuple[Decision, ...]]]:
        forks: list[tuple[_State, tuple[Decision, ...]]] = [(state, ())]
        for edge in node._outgoing():
            grown = []
            for fork, decided in forks:
                if edge.edge_class != "cond_true":
                    grown += [(s, decided + ds) for s, ds in self._enter(fork, edge.dst, node)]
                    continue
                skip = self._decision(node, edge.dst, taken=False)
                grown.append((fork, (*decided, skip)))
                take = self._decision(node, edge.dst, taken=True)
                grown += [(s, (*decided, take, *ds)) for s, ds in self._enter(fork, edge.dst, node)]
            forks = grown
        return forks

    def _decision(self, gateway, target, *, taken: bool) -> Decision:
        key = (gateway.name, target.name if taken else f"-{target.name}")
        if key not in self.branches:
            raise KeyError(f"{self.flow.app_name}: no form values choose {key}")
        turn = self._turns[key]
        self._turns[key] += 1
        values = {
            name: value[turn % len(value)] if isinstance(value, list) else value
            for name, value in self.branches[key].items()
        }
        return Decision(gateway.name, target.name, taken, values)


def paths(step: Step, moves: tuple[Move, ...] = ()) -> Iterator[Path]:
    """Yield every path from step down to an end of the tree."""
    here = (*moves, step.move) if step.move else moves
    if not step.children:
        yield Path(here, step.edges, step.ended)
    for child in step.children:
        yield from paths(child, here)
