"""The import arrows of the architecture hold: the domain is pure, layers point inward."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chatsession"

IO_MODULES = {"os", "io", "sqlite3", "socket", "subprocess", "pathlib", "time", "random",
              "secrets", "threading", "multiprocessing", "logging", "json", "urllib", "http"}

READS_THE_TIME = ("datetime.now", "datetime.utcnow", "date.today", "time.time(")
"""Ways code reads the current time."""

TIME_SOURCE = ("values.py", "utc_now")
"""The one place of the domain that reads the time: ``values.utc_now``, behind the
``ChatSession.utc_now`` hook that commands call when they are given no ``at``."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                names.add(node.module)
            else:
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
    return names


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def test_relative_imports_are_resolved() -> None:
    assert module_name(PACKAGE / "domain" / "session.py") == "chatsession.domain.session"
    assert module_name(PACKAGE / "domain" / "__init__.py") == "chatsession.domain"


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_only_itself_and_its_libraries(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "chatsession":
            assert name == "chatsession.domain" or name.startswith("chatsession.domain."), (
                f"{path.name} imports {name}")
        else:
            assert top not in IO_MODULES, f"{path.name} imports {name} (I/O in the domain)"


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_never_imports_the_ports(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith("chatsession.ports"), f"{path.name} imports {name}"


def _without_the_time_source(path: Path, source: str) -> str:
    """``source`` less the body of the one function allowed to read the time."""
    file_name, function = TIME_SOURCE
    if path.name != file_name:
        return source
    tree = ast.parse(source)
    found = [node for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name == function]
    assert len(found) == 1, f"{file_name} should define {function}() once"
    segment = ast.get_source_segment(source, found[0])
    assert segment is not None
    assert any(f in segment for f in READS_THE_TIME), f"{function}() no longer reads the time"
    return source.replace(segment, "")


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_never_reads_the_time_itself(path: Path) -> None:
    source = _without_the_time_source(path, path.read_text(encoding="utf-8"))
    for forbidden in READS_THE_TIME:
        assert forbidden not in source, (
            f"{path.name} uses {forbidden}: take an `at`, or call ChatSession.utc_now()")


@pytest.mark.parametrize("path", modules("wire"), ids=lambda p: p.name)
def test_wire_does_not_import_adapters_or_service(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith(("chatsession.adapters", "chatsession.service",
                                    "chatsession.entrypoints")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("ports"), ids=lambda p: p.name)
def test_ports_do_not_import_adapters(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith("chatsession.adapters"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("ports"), ids=lambda p: p.name)
def test_ports_never_import_the_wire(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith("chatsession.wire"), f"{path.name} imports {name}"
