"""The package's import graph: the SQLite layers, no reaching into privates, no cycles.

Read from the source with ``ast`` (nothing is imported), every import statement counted:
at module level, inside functions, and under ``if TYPE_CHECKING:``. Relative imports are
resolved; ``from pkg import name`` is an arrow to the submodule ``pkg.name`` when there is
one, else to ``pkg`` itself (its ``__init__``, a node like any module, also when it only
re-exports). Only written imports are arrows: that Python imports a package before its
submodules is not one (else every ``__init__`` that re-exports its submodules would be a
cycle), but a submodule importing a name from its own package's ``__init__`` is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chatsession"
SQLITE = "chatsession.adapters.sqlite"

LOWER_LAYER = frozenset(
    f"{SQLITE}.{name}" for name in ("datastore", "connections", "driver_errors", "fork_gate")
)
"""The SQLite modules that know SQLite and nothing of chat sessions."""
UPPER_LAYER = frozenset(
    f"{SQLITE}.{name}" for name in (
        "tables", "topic_tables", "account_tables", "message_tables", "repository", "migrations"
    )
)
"""The SQLite modules that hold the chat-session SQL (and use the lower layer)."""
SHARED_LOWER = frozenset({"chatsession.adapters.translated_errors"})
"""Datastore helpers both SQL backends share; they import nothing of ``chatsession``."""
LOWER_MAY_IMPORT = LOWER_LAYER | SHARED_LOWER | {"chatsession.ports.errors"}
"""All of ``chatsession`` the lower layer may import: itself, the shared datastore helpers
and the store's errors."""


# ------------------------------------------------------------------- reading


def module_name(path: Path) -> str:
    """``chatsession/a/b.py`` -> ``chatsession.a.b``; ``chatsession/a/__init__.py`` -> ``a``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
"""Every module of the package (packages by their name), and its file."""


@dataclass(frozen=True)
class Import:
    """One name an import statement brings in: from ``module`` (resolved), maybe ``name``."""

    module: str
    name: str | None
    line: int

    @property
    def target(self) -> str:
        """The module this import is an arrow to: the submodule ``module.name`` if any."""
        if self.name is not None and f"{self.module}.{self.name}" in MODULES:
            return f"{self.module}.{self.name}"
        return self.module


def imports_in(module: str) -> Iterator[Import]:
    """Every import of ``module``'s file, relative ones resolved to absolute names."""
    path = MODULES[module]
    source = path.read_text(encoding="utf-8")
    return imports_of(module, source, is_package=path.name == "__init__.py")


def imports_of(module: str, source: str, *, is_package: bool) -> Iterator[Import]:
    """Every import of ``source``, the code of ``module``."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source, module)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.level <= len(package), f"{module}:{node.lineno}: beyond the top"
                base = package[: len(package) - node.level + 1]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                assert node.module is not None
                origin = node.module
            for alias in node.names:
                yield Import(origin, None if alias.name == "*" else alias.name, node.lineno)


def is_ours(module: str) -> bool:
    return module == "chatsession" or module.startswith("chatsession.")


def graph() -> dict[str, set[str]]:
    """The import arrows between the package's modules."""
    arrows: dict[str, set[str]] = {}
    for module in MODULES:
        found = list(imports_in(module))
        # ``from package import module`` runs the package's ``__init__`` first: an arrow to
        # the package too (``import package.module as m`` names the module alone)
        targets = {i.target for i in found if is_ours(i.target)} | {
            i.module for i in found if i.name is not None and is_ours(i.module)
        }
        targets.discard(module)
        for target in targets:
            assert target in MODULES, f"{module} imports {target}, which does not exist"
        arrows[module] = targets
    return arrows


def cycles(arrows: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) through each strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(arrows[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in arrows[node]:
                components.append(component)

    for node in sorted(arrows):
        if node not in index:
            connect(node)
    return [_cycle_in(component, arrows) for component in components]


def _cycle_in(component: set[str], arrows: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the first module of ``component`` (breadth first)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(arrows[node] & component):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle in {component}")  # pragma: no cover


# ---------------------------------------------------------------- the reader


def test_the_reader_resolves_imports_as_python_does() -> None:
    assert module_name(PACKAGE / "adapters" / "sqlite" / "__init__.py") == SQLITE
    assert module_name(PACKAGE / "adapters" / "base.py") == "chatsession.adapters.base"
    source = """
from typing import TYPE_CHECKING
import chatsession.adapters.sqlite.fork_gate as gate
from chatsession.adapters.sqlite import tables, SqliteChatSessionRepository
from . import driver_errors
from .connections import ThreadConnections
from ..base import RepositoryBase
if TYPE_CHECKING:
    from chatsession.domain.session import ChatSession
def later():
    from chatsession.ports import errors
"""
    found = imports_of(f"{SQLITE}.datastore", source, is_package=False)
    targets = {i.target for i in found if is_ours(i.target)}
    assert targets == {
        f"{SQLITE}.fork_gate",
        f"{SQLITE}.tables",  # a submodule
        SQLITE,  # a name its __init__ re-exports: the package is the node
        f"{SQLITE}.driver_errors",
        f"{SQLITE}.connections",
        "chatsession.adapters.base",
        "chatsession.domain.session",  # under TYPE_CHECKING
        "chatsession.ports.errors",  # inside a function
    }
    in_init = imports_of(SQLITE, "from .repository import X\nfrom . import tables", is_package=True)
    assert {i.target for i in in_init} == {f"{SQLITE}.repository", f"{SQLITE}.tables"}
    assert set(MODULES) >= LOWER_LAYER | UPPER_LAYER


def test_the_cycle_finder_finds_cycles() -> None:
    """A test of the test: it reports a cycle (also through TYPE_CHECKING-only arrows)."""
    arrows = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(cycles(arrows)) == [["a", "b", "c", "a"], ["e", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# ---------------------------------------------------------- (a) the SQLite layers


@pytest.mark.parametrize("module", sorted(LOWER_LAYER))
def test_the_sqlite_datastore_layer_knows_nothing_of_chat_sessions(module: str) -> None:
    """No domain, no chat-session SQL: only its own layer and ``ports.errors`` of ours."""
    for found in imports_in(module):
        target = found.target
        where = f"{module}:{found.line} imports {target}"
        assert not target.startswith("chatsession.domain"), where
        assert target not in UPPER_LAYER, where
        if is_ours(target):
            assert target in LOWER_MAY_IMPORT, where


@pytest.mark.parametrize("module", sorted(SHARED_LOWER))
def test_the_shared_datastore_helpers_import_nothing_of_chatsession(module: str) -> None:
    """What the lower layer may share stays below it: no import of ``chatsession`` at all."""
    for found in imports_in(module):
        assert not is_ours(found.target), f"{module}:{found.line} imports {found.target}"


# ------------------------------------------------------------ (b) privates


def private_imports(module: str, found: Iterator[Import]) -> list[str]:
    """The imports in ``found`` of another chatsession module's private names."""
    return [
        f"{module}:{i.line}: from {i.module} import {i.name}"
        for i in found
        if is_ours(i.module)
        and i.module != module
        and i.name is not None
        and i.name.startswith("_")
        and not (i.name.startswith("__") and i.name.endswith("__"))
    ]


def test_the_private_finder_finds_private_imports() -> None:
    source = "from .fork_gate import _held, INHERITED\nfrom chatsession import __version__\n"
    found = imports_of(f"{SQLITE}.datastore", source, is_package=False)
    assert private_imports(f"{SQLITE}.datastore", found) == [
        f"{SQLITE}.datastore:1: from {SQLITE}.fork_gate import _held"
    ]


def test_no_module_imports_another_module_s_private_names() -> None:
    """``from chatsession.x import _y`` reaches into ``x``'s privates (dunders aside)."""
    reaching = [line for m in MODULES for line in private_imports(m, imports_in(m))]
    assert reaching == []


# -------------------------------------------------------------- (c) no cycles


def test_the_package_has_no_import_cycle() -> None:
    """Not even through ``TYPE_CHECKING`` imports or a re-exporting ``__init__``."""
    found = cycles(graph())
    assert found == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)
