"""The import arrows of the architecture hold: the domain is pure, layers point inward."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chatsession"

IO_MODULES = {"os", "io", "sqlite3", "socket", "subprocess", "pathlib", "time", "random",
              "secrets", "threading", "multiprocessing", "logging", "json", "urllib", "http"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_only_itself_the_clock_port_and_its_libraries(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "chatsession":
            assert name.startswith("chatsession.domain") or name == "chatsession.ports.clock", (
                f"{path.name} imports {name}")
        else:
            assert top not in IO_MODULES, f"{path.name} imports {name} (I/O in the domain)"


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_never_reads_the_time_itself(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for forbidden in ("datetime.now", "datetime.utcnow", "date.today", "time.time("):
        assert forbidden not in source, f"{path.name} uses {forbidden}: use the Clock port"


@pytest.mark.parametrize("path", modules("wire"), ids=lambda p: p.name)
def test_wire_does_not_import_adapters_or_service(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith(("chatsession.adapters", "chatsession.service",
                                    "chatsession.entrypoints")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("ports"), ids=lambda p: p.name)
def test_ports_do_not_import_adapters(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith("chatsession.adapters"), f"{path.name} imports {name}"
