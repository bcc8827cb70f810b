import inspect
import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

import chatsession


def test_every_public_name_is_importable_and_documented() -> None:
    for name in chatsession.__all__:
        obj = getattr(chatsession, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_every_public_name_resolves_from_a_star_import() -> None:
    namespace: dict[str, object] = {}
    exec("from chatsession import *", namespace)
    assert set(chatsession.__all__) <= set(namespace)
    assert len(chatsession.__all__) == len(set(chatsession.__all__)), "a name is listed twice"
    assert sorted(dir(chatsession)) == sorted(chatsession.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="ChatSessionNotFound'"):
        chatsession.ChatSessionNotFound  # noqa: B018 - the dropped alias
    with pytest.raises(ImportError):
        exec("from chatsession import NoSuchThing", {})


def test_importing_the_package_loads_neither_sqlite_nor_the_wire_nor_the_adapters() -> None:
    script = (
        "import chatsession, sys, json; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m == 'sqlite3' or m.startswith(('sqlite3.', '_sqlite3', "
        "'chatsession.wire', 'chatsession.adapters')))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []
    # and the check itself can fail: a lazy name loads its module
    loads = "import chatsession, sys, json; chatsession.SqliteChatSessionRepository; "
    script = script.replace("import chatsession, sys, json; ", loads)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "sqlite3" in json.loads(done.stdout)


def test_outcome_and_session_equality() -> None:
    a = chatsession.ChatSession.request(
        1, chatsession.ChatTopic(id=1), at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    b = a.copy()
    assert a == b and a is not b
    b.post_customer_message("hi", at=datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    assert a != b
    assert a.pending_events != b.pending_events
