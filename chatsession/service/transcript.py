"""A session's transcript: its messages as plain text or HTML (GetChatTranscript).

Every text is escaped for HTML; plain text is written as it was. System messages read as
a line in brackets (``[transferred to associate 8]``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from chatsession.domain.messages import ChatMessage, ChatMessageType, SpecialType

_SAYS = {
    SpecialType.Welcome: "welcome",
    SpecialType.TransferedSession: "transferred to associate {param}",
    SpecialType.TransferRejected: "associate {param} rejected the transfer",
    SpecialType.ClosedByUser: "closed by the user",
    SpecialType.ClosedByCustomer: "closed by the customer",
    SpecialType.ClosedByIdle: "closed: idle",
    SpecialType.ReopenedByCustomer: "reopened by the customer",
}


def _line(message: ChatMessage) -> tuple[str, str, str]:
    """(time, who, what) of one message."""
    when = message.when.strftime("%Y-%m-%d %H:%M:%S UTC")
    if message.type is not ChatMessageType.Special:
        return when, message.author, message.text
    says = _SAYS.get(message.special_type, message.special_type.wire_name)
    what = f"[{says.format(param=message.special_param)}]"
    if message.text:
        what += f" {message.text}"
    return when, "system", what


def transcript(messages: Iterable[ChatMessage], *, as_html: bool = False) -> str:
    """The messages, oldest first, as plain text lines or an HTML fragment (escaped)."""
    lines = [_line(m) for m in messages]
    if not as_html:
        return "".join(f"{when} {who}: {what}\n" for when, who, what in lines)
    items = "".join(
        f'<li><time>{html.escape(when)}</time> <b>{html.escape(who)}</b>: '
        f"{html.escape(what)}</li>"
        for when, who, what in lines
    )
    return f'<ol class="chat-transcript">{items}</ol>'
