"""JSON from outside (API bodies, import lines): parsed with a nesting limit and no lone surrogates.

Python's json recurses once per level, so a deeply nested body would end in a RecursionError
(a 500); and a lone surrogate escape ("\\ud800") decodes to a str that PostgreSQL, UTF-8 and
every export refuse later. Both are refused here, with the limit or the field named.

orjson (pinned in requirements.txt) parses first: it refuses lone surrogates itself, so what it
accepts needs only a walk over its containers for the depth. Whatever it refuses (or may read
differently: it turns integers past 64 bits into floats) goes through the standard library as
before, whose messages and line numbers the API and the imports have always given.
"""
import json
import re

import orjson
from django.conf import settings

_SURROGATE = re.compile("[\ud800-\udfff]")
# What a surrogate in decoded JSON can come from: a \ud800-\udfff escape, or one in the input
# itself (a str, or bytes that json decodes with surrogatepass). Input without any needs no
# walk over its strings: a 40 MB import spent 6 s walking them.
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_MAYBE_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


class JSONInputError(ValueError):
    """The JSON is refused; `message` says why and where; `field` names the value at fault
    ("title", "spans[0].note"), or is None when the JSON as a whole is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _where(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def check_value(value, *, max_depth: int | None = None) -> None:
    """Raise JSONInputError when `value` (decoded JSON) nests deeper than max_depth or holds a
    string (or key) with a lone surrogate. Iterative, so it never recurses itself."""
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    stack = [(value, 1, ())]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise JSONInputError(
                    f"{_where(path)} holds a lone surrogate (a \\ud800-\\udfff escape without its pair); "
                    "send the character itself or its full surrogate pair.",
                    field=_where(path),
                )
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > limit:
            raise JSONInputError(f"The JSON nests deeper than {limit} levels (JSON_MAX_DEPTH) at {_where(path)}.")
        if isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, depth, path))
                stack.append((child, depth + 1, (*path, key)))
        else:
            stack.extend((child, depth + 1, (*path, index)) for index, child in enumerate(item))


def loads(text: str | bytes, *, max_depth: int | None = None):
    """json.loads for untrusted input: JSONInputError for bad JSON, too deep a nesting or a lone
    surrogate; NaN and Infinity are refused as the API has always refused them."""
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # the standard library below says what is wrong, as it always said it
    else:
        if _as_json_reads_it(value, limit):
            return value
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONInputError(f"The JSON nests deeper than {limit} levels (JSON_MAX_DEPTH).") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}" if error.lineno > 1 else f"column {error.colno}"
        raise JSONInputError(f"Not JSON: {error.msg} at {where}.") from None
    except UnicodeDecodeError as error:
        raise JSONInputError(f"Not UTF-8: byte {error.object[error.start]:#04x} at {error.start}.") from None
    pattern = _MAYBE_SURROGATE_BYTES if isinstance(text, (bytes, bytearray)) else _MAYBE_SURROGATE
    if pattern.search(text) or not _within_depth(value, limit):
        check_value(value, max_depth=limit)  # the whole walk, which names what it refuses
    return value


def _within_depth(value, limit: int) -> bool:
    """Whether no list or object nests deeper than `limit`: a walk over containers only."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


_INT_AS_FLOAT = 2.0**63  # orjson reads an integer past int64/uint64 as a float


def _as_json_reads_it(value, limit: int) -> bool:
    """Whether orjson's `value` nests at most `limit` deep and holds no float that may have been
    an integer too large for 64 bits (json reads those as int). One pass per level, containers
    and numbers only: an import line of 20 spans is 3 levels."""
    level, depth = [[value]], -1  # a list around the value, at depth 0, so a bare float is looked at too
    while level:
        depth += 1
        if depth > limit:
            return False
        below = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                kind = type(child)
                if kind is dict or kind is list:
                    below.append(child)
                elif kind is float and abs(child) >= _INT_AS_FLOAT and child.is_integer():
                    return False
        level = below
    return True


def _refuse_constant(name: str):
    raise JSONInputError(f"{name} is not valid JSON.")
