"""The errors page is what the error classes say, and every error class is on it."""

from pathlib import Path

from chatsession.domain.errors import ChatSessionError
from chatsession.error_table import error_classes, markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_errors_page_is_what_the_classes_say() -> None:
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == markdown(), "run: python -m chatsession.error_table > docs/errors.md"


def test_every_error_class_of_the_package_is_in_the_table() -> None:
    import chatsession.entrypoints.cli  # load every layer
    import chatsession.testing.strategies  # noqa: F401

    def subclasses(cls: type) -> set[type]:
        out = set(cls.__subclasses__())
        for sub in list(out):
            out |= subclasses(sub)
        return out

    package = {
        cls
        for cls in subclasses(ChatSessionError)
        if cls.__module__.startswith("chatsession.") and not cls.__name__.startswith("_")
    }
    assert package <= set(error_classes())
