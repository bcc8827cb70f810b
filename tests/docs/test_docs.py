"""The docs show code that runs, and diagrams that match the machines."""

import re
import runpy
from pathlib import Path

import pytest

from chatsession.diagrams import markdown

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_python_block_of_the_page_runs(page: Path, capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in python_blocks(page):
        exec(compile(block, str(page), "exec"), namespace)
        printed = capsys.readouterr().out
        # a "# ..." comment right after a print() shows the expected output
        for expected in re.findall(r"print\(.*\)\s*#\s*(.+)$", block, re.M):
            assert expected.strip() in printed, f"{page.name}: expected {expected!r}"


def test_the_readme_has_an_example() -> None:
    assert python_blocks(ROOT / "README.md")


def test_the_diagrams_page_is_what_the_machines_say() -> None:
    committed = (ROOT / "docs" / "diagrams.md").read_text(encoding="utf-8")
    assert committed == markdown(), "run: python -m chatsession.diagrams > docs/diagrams.md"


def test_every_page_in_the_mkdocs_nav_exists() -> None:
    nav = re.findall(r":\s*(\S+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert nav
    for page in nav:
        assert (ROOT / "docs" / page).is_file(), page


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_run(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(example), run_name="__main__")
