"""The errors table, generated from the error classes themselves.

``python -m chatsession.error_table`` prints ``docs/errors.md``; a test keeps the committed
page equal to what the classes say, as ``chatsession.diagrams`` does for the machines.
"""

from __future__ import annotations

import inspect

import chatsession.adapters.event_codec as event_codec
import chatsession.adapters.webhook_http as webhook_http
import chatsession.domain.errors as domain_errors
import chatsession.ports.errors as store_errors
import chatsession.service.errors as service_errors
import chatsession.wire.errors as wire_errors
from chatsession.domain.errors import ChatSessionError

_MODULES = (
    domain_errors, store_errors, event_codec, webhook_http, wire_errors, service_errors
)


def error_classes() -> list[type[ChatSessionError]]:
    """Every public ``ChatSessionError`` class of the package, in the order it is defined."""
    found: list[type[ChatSessionError]] = []
    for module in _MODULES:
        members = [
            value
            for name, value in vars(module).items()
            if not name.startswith("_")
            and inspect.isclass(value)
            and issubclass(value, ChatSessionError)
            and value.__module__ == module.__name__
        ]
        members.sort(key=lambda cls: inspect.getsourcelines(cls)[1])
        found.extend(members)
    return found


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.split("\n\n")[0].replace("\n", " ").replace("|", "\\|").replace("``", "`")


def _public_base(cls: type) -> str:
    return next(base.__name__ for base in cls.__mro__[1:] if not base.__name__.startswith("_"))


def markdown() -> str:
    """The errors page: one row per error class, with its code and HTTP status."""
    rows = [
        f"| `{cls.__name__}` | `{cls.code}` | {cls.http_status} | "
        f"`{_public_base(cls)}` | {_summary(cls)} |"
        for cls in error_classes()
    ]
    return (
        "# Errors\n\n"
        "Generated from the error classes by `python -m chatsession.error_table`; do not "
        "edit.\n\n"
        "Every error `chatsession` raises is a `ChatSessionError`. Each class carries a "
        "stable, machine-readable `code` and the HTTP status that suits it (`http_status`); "
        "a subclass without its own inherits its parent's. Documented SuperOffice no-ops "
        "are not errors: they return an `Outcome` whose `reason` says why nothing "
        "happened.\n\n"
        "```python\n"
        "from chatsession import ChatSession, ChatTopic, TransferToSelfError\n\n"
        "session = ChatSession.request(1, ChatTopic(id=1))\n"
        "session.pick_up(by=7)\n"
        "try:\n"
        "    session.transfer(to=7, by=7)\n"
        "except TransferToSelfError as error:\n"
        "    print(error.code, error.http_status)  # transfer_to_self 409\n"
        "```\n\n"
        "| error | code | HTTP | base | when |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )


def main() -> None:
    """Print the errors page."""
    print(markdown(), end="")


if __name__ == "__main__":
    main()
