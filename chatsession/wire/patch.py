"""PATCH ChatSession/{id}: a JSON Patch (RFC 6902) or JSON Merge Patch (RFC 7396) body.

``apply_patch(document, patch)`` applies a PATCH body to a ``ChatSessionEntity``
document (the JSON object ``to_wire`` writes) and returns the patched copy; the
document itself is not changed, and a patch that fails changes nothing.

SuperOffice's rules (the REST reference's ``PATCH ChatSession/{id}``):

* a JSON Patch is an array of ``{"op", "path", "value"}`` with ``op`` one of ``add``,
  ``replace``, ``remove`` and ``test``; ``move`` and ``copy`` are not supported
  (``UnsupportedPatchOperationError``);
* ``path`` is case-insensitive and its leading ``/`` is optional: ``/Status``,
  ``status`` and ``/user/associateid`` name ``Status`` and ``User.AssociateId``;
  segments are JSON Pointer tokens (``~1`` is ``/``, ``~0`` is ``~``);
* a JSON Merge Patch is an object instead: its keys (case-insensitive too) are set,
  merged into objects, or removed by ``null``.

A property the entity (or a carrier inside it) declares exists even when the document
leaves it out, with the value ``null`` (SuperOffice applies the patch to the entity
object, where every property exists): ``replace`` sets it, ``remove`` of an absent one
does nothing, ``test`` compares with ``null``. A name neither in the document nor
declared is refused (``UnknownPatchPathError``); so is a malformed operation
(``InvalidPatchError``). A failed ``test`` raises ``PatchTestFailedError`` (HTTP 409).
No message quotes a value: values may be secrets (the SessionKey) or a customer's text.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from chatsession.wire.entity import ChatSessionEntity
from chatsession.wire.errors import (
    InvalidPatchError,
    PatchTestFailedError,
    UnknownPatchPathError,
    UnsupportedPatchOperationError,
)

OPERATIONS = ("add", "replace", "remove", "test")
"""The JSON Patch operations SuperOffice supports."""
UNSUPPORTED = ("move", "copy")
"""The JSON Patch operations SuperOffice refuses."""


@dataclass(frozen=True)
class _MapOf:
    """A JSON object of free keys whose values are ``item`` documents."""

    item: Schema


@dataclass(frozen=True)
class _ListOf:
    """A JSON array whose items are ``item`` documents."""

    item: Schema


Schema = type[BaseModel] | _MapOf | _ListOf | None
"""What is known of a JSON value's shape: a model, a map or list of one, or nothing."""


def apply_patch(document: dict[str, Any], patch: object) -> dict[str, Any]:
    """``document`` (a ``ChatSessionEntity`` as JSON) with the PATCH body ``patch`` applied.

    ``patch`` is a JSON Patch (a list of operations) or a JSON Merge Patch (a dict).
    Returns a new dict; raises ``InvalidPatchError`` (and its subclasses) or
    ``PatchTestFailedError``, and then nothing is applied.
    """
    if not isinstance(document, dict):
        raise InvalidPatchError(
            f"the document to patch must be a JSON object, got {type(document).__name__}"
        )
    result = copy.deepcopy(document)
    if isinstance(patch, list):
        for index, operation in enumerate(patch):
            _apply(result, operation, index)
    elif isinstance(patch, Mapping):
        _merge(result, patch, ChatSessionEntity, "")
    else:
        raise InvalidPatchError(
            "the body must be a JSON Patch array or a JSON Merge Patch object, "
            f"got {type(patch).__name__}"
        )
    return result


# ------------------------------------------------------------------ JSON Patch


def _apply(document: dict[str, Any], operation: object, index: int) -> None:
    if not isinstance(operation, Mapping):
        raise InvalidPatchError(
            f"an operation must be an object, got {type(operation).__name__}", index=index
        )
    op, path = operation.get("op"), operation.get("path")
    if not isinstance(op, str):
        raise InvalidPatchError("op is missing or not a string", index=index)
    if not isinstance(path, str):
        raise InvalidPatchError("path is missing or not a string", index=index)
    op = op.lower()
    if op in UNSUPPORTED:
        raise UnsupportedPatchOperationError(
            f"{op} is not supported (only {', '.join(OPERATIONS)})", index=index, path=path
        )
    if op not in OPERATIONS:
        raise UnsupportedPatchOperationError(
            f"unknown op (only {', '.join(OPERATIONS)})", index=index, path=path
        )
    if op != "remove" and "value" not in operation:
        raise InvalidPatchError(f"{op} needs a value", index=index, path=path)
    value = operation.get("value")
    parent, schema, token = _parent(document, path, index)
    if isinstance(parent, list):
        _apply_to_list(parent, op, token, value, index, path)
        return
    key = _key(parent, token, schema)  # in the document, or declared (then null)
    if key is None:
        if op != "add" or isinstance(schema, type):  # a model's properties are all known
            raise UnknownPatchPathError("no such property", index=index, path=path)
        key = token  # a new member of a free-form object
    if op == "test":
        if not _json_equal(parent.get(key), value):
            raise PatchTestFailedError(index=index, path=path)
    elif op == "remove":
        parent.pop(key, None)
    else:
        parent[key] = copy.deepcopy(value)


def _apply_to_list(
    items: list[Any], op: str, token: str, value: object, index: int, path: str
) -> None:
    if token == "-" and op == "add":
        items.append(copy.deepcopy(value))
        return
    position = _list_index(token, len(items) + (op == "add"), index, path)
    if op == "add":
        items.insert(position, copy.deepcopy(value))
    elif op == "remove":
        del items[position]
    elif op == "replace":
        items[position] = copy.deepcopy(value)
    elif not _json_equal(items[position], value):
        raise PatchTestFailedError(index=index, path=path)


def _list_index(token: str, size: int, index: int, path: str) -> int:
    if not token.isdigit() or not token.isascii() or (token != "0" and token[0] == "0"):
        raise InvalidPatchError("an array index must be a number", index=index, path=path)
    position = int(token)
    if position >= size:
        raise UnknownPatchPathError("the array index is out of range", index=index, path=path)
    return position


def _parent(document: dict[str, Any], path: str, index: int) -> tuple[Any, Schema, str]:
    """The container the last token of ``path`` names a member of, its schema, the token."""
    tokens = _tokens(path, index)
    container: Any = document
    schema: Schema = ChatSessionEntity
    for depth, token in enumerate(tokens[:-1]):
        walked = "/" + "/".join(tokens[: depth + 1])
        if isinstance(container, list):
            position = _list_index(token, len(container), index, path)
            container, schema = container[position], _item(schema)
        else:
            key = _key(container, token, schema)
            if key is None:
                raise UnknownPatchPathError("no such property", index=index, path=path)
            container, schema = container.get(key), _child(schema, key)
        if not isinstance(container, dict | list):
            raise InvalidPatchError(
                f"{walked} is not an object or array (add it whole first)",
                index=index, path=path,
            )
    return container, schema, tokens[-1]


def _tokens(path: str, index: int | None) -> list[str]:
    """The JSON Pointer tokens of ``path``; its leading ``/`` is optional."""
    body = path[1:] if path.startswith("/") else path
    if not body:
        raise InvalidPatchError("the path must name a property", index=index, path=path)
    tokens = []
    for raw in body.split("/"):
        if "~" in raw.replace("~0", "").replace("~1", ""):
            raise InvalidPatchError("a ~ in the path must be ~0 or ~1", index=index, path=path)
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


# ------------------------------------------------------------ JSON Merge Patch


def _merge(target: dict[str, Any], patch: Mapping[Any, Any], schema: Schema, path: str) -> None:
    for token, value in patch.items():
        if not isinstance(token, str):
            raise InvalidPatchError("a merge patch key must be a string", path=path or "/")
        key = _key(target, token, schema)
        where = f"{path}/{token}"
        if key is None:
            if isinstance(schema, type):
                raise UnknownPatchPathError("no such property", path=where)
            key = token
        if value is None:
            target.pop(key, None)
        elif isinstance(value, Mapping):
            current = target.get(key)
            if not isinstance(current, dict):  # RFC 7396: merged into an empty object
                current = target[key] = {}
            _merge(current, value, _child(schema, key), f"{path}/{key}")
        else:
            target[key] = copy.deepcopy(value)


# --------------------------------------------------------------- the schema


def _key(container: dict[str, Any], token: str, schema: Schema) -> str | None:
    """The member ``token`` names, case-insensitively: the document's key, else declared."""
    if token in container:
        return token
    wanted = token.casefold()
    for key in container:
        if isinstance(key, str) and key.casefold() == wanted:
            return key
    if isinstance(schema, type):
        return _aliases(schema).get(wanted)
    return None


def _aliases(model: type[BaseModel]) -> dict[str, str]:
    """The JSON names ``model`` declares, by their case-folded form (and as themselves)."""
    found = _ALIASES.get(model)
    if found is None:
        names = [field.alias or name for name, field in model.model_fields.items()]
        found = _ALIASES[model] = {name.casefold(): name for name in names} | {
            name: name for name in names
        }
    return found


_ALIASES: dict[type[BaseModel], dict[str, str]] = {}


def _child(schema: Schema, key: str) -> Schema:
    """The schema of member ``key`` of an object of ``schema``."""
    if isinstance(schema, _MapOf):
        return schema.item
    if not isinstance(schema, type):
        return None
    for name, field in schema.model_fields.items():
        if (field.alias or name) == key:
            return _schema_of(field.annotation)
    return None


def _item(schema: Schema) -> Schema:
    return schema.item if isinstance(schema, _ListOf) else None


def _schema_of(annotation: Any) -> Schema:
    """What an annotation says of a value's shape (``Associate | None`` is an Associate)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        item = _schema_of(args[1])
        return _MapOf(item) if item is not None else None
    if origin is list and len(args) == 1:
        item = _schema_of(args[0])
        return _ListOf(item) if item is not None else None
    for arg in args:  # a Union or Optional: the first shape found
        found = _schema_of(arg)
        if found is not None:
            return found
    return None


def _json_equal(left: object, right: object) -> bool:
    """RFC 6902's equality: same JSON type and value; numbers by value, objects unordered."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_json_equal, left, right))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    if isinstance(left, int | float | list | Mapping) or isinstance(
        right, int | float | list | Mapping
    ):
        return False
    return left is right if left is None or right is None else left == right
