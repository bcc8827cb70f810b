"""The errors of the wire layer's own operations (a PATCH body applied to a document).

Parsing a document raises ``pydantic.ValidationError``, as ``chatsession.wire`` says;
these are the errors of ``chatsession.wire.patch``. Each names the operation (its index in
a JSON Patch, or the key of a Merge Patch) and the path, never a value: a value may be a
SessionKey or a customer's text.
"""

from __future__ import annotations

from chatsession.domain.errors import ChatSessionError, InvalidArgumentError

_PATH_SHOWN = 200
"""The longest path an error message quotes whole."""


def _shown(path: str) -> str:
    """``path`` quoted for a message, cut at ``_PATH_SHOWN`` characters."""
    if len(path) <= _PATH_SHOWN:
        return repr(path)
    return repr(path[:_PATH_SHOWN]) + f"... ({len(path)} characters)"


class InvalidPatchError(InvalidArgumentError):
    """A PATCH body is malformed: not a JSON Patch array nor a Merge Patch object, or an
    operation lacks its ``op``, ``path`` or ``value``, or its path cannot be followed.

    ``index`` is the operation's position in a JSON Patch (None for a Merge Patch or the
    body as a whole), ``path`` its path ("" when there is none).
    """

    code = "invalid_patch"
    http_status = 400

    def __init__(self, problem: str, *, index: int | None = None, path: str = "") -> None:
        self.index = index
        self.path = path
        self.problem = problem
        where = "patch" if index is None else f"patch operation {index}"
        at = f" (path {_shown(path)})" if path else ""
        super().__init__(f"{where}{at}: {problem}")


class UnsupportedPatchOperationError(InvalidPatchError):
    """A JSON Patch operation other than ``add``, ``replace``, ``remove`` or ``test``.

    SuperOffice's PATCH does not support ``move`` and ``copy``.
    """

    code = "patch_operation_not_supported"


class UnknownPatchPathError(InvalidPatchError):
    """A patch path names a property the document does not have and the entity does not know."""

    code = "patch_path_unknown"


class PatchTestFailedError(ChatSessionError):
    """A JSON Patch ``test`` operation found another value: nothing of the patch is applied.

    ``index`` and ``path`` name the operation; neither value is shown.
    """

    code = "patch_test_failed"
    http_status = 409

    def __init__(self, *, index: int, path: str) -> None:
        self.index = index
        self.path = path
        super().__init__(
            f"patch operation {index} (test, path {_shown(path)}): the value differs; "
            "nothing was applied"
        )
