"""JSON for Fortnox with exact money.

Fortnox speaks UTF-8 JSON. Amounts must never pass through float, so numbers with a fraction are read as
`Decimal` and `Decimal` values are written as JSON number literals digit for digit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_encode_str = json.JSONEncoder(ensure_ascii=False).encode


def loads(data: str | bytes) -> Any:
    """Parse JSON, reading every non-integer number as an exact Decimal."""
    return json.loads(data, parse_float=Decimal)


def dumps(value: Any) -> str:
    """Serialize to compact JSON text; Decimal becomes a number literal, non-ASCII stays as is (UTF-8)."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def dump_bytes(value: Any) -> bytes:
    return dumps(value).encode("utf-8")


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send a non-finite amount to Fortnox: {value}")
        out.append(format(value, "f"))
    elif isinstance(value, bool) or value is None or isinstance(value, str | int):
        out.append(_encode_str(value))
    elif isinstance(value, float):
        raise TypeError("floats are not sent to Fortnox; use Decimal for amounts")
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            if not first:
                out.append(",")
            first = False
            out.append(_encode_str(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot serialize {type(value).__name__} to JSON")
