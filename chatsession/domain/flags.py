"""ChatSessionFlags: SuperOffice's typing indicator flag."""

from __future__ import annotations

from enum import IntEnum


class ChatSessionFlags(IntEnum):
    """The documented flag values of a chat session.

    SuperOffice declares ``CustomerIsTyping = 0`` and ``UserIsTyping = 1`` as a flags
    enum. A zero-valued flag cannot be combined, so the library models the field as a
    plain enum of the two documented values (see ``docs/decisions.md``).
    """

    CustomerIsTyping = 0
    UserIsTyping = 1
