"""JSON with a nesting limit, for every API body and every webhook that parses JSON itself.

Python's decoder recurses once per level, so a body of ten thousand ``[`` raises RecursionError
(a 500) instead of a parse error; and nesting far beyond anything the website sends only costs us
work in serializers and logs. Bodies nested deeper than ``MAX_DEPTH`` are refused as invalid JSON.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32


class JsonTooDeep(ValueError):
    """The document nests objects/arrays deeper than allowed."""


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` (no NaN/Infinity) that raises ValueError, never RecursionError, on deep nesting."""
    try:
        value = json.loads(data, parse_constant=strict_constant)
    except RecursionError as error:
        raise JsonTooDeep(f"JSON is nested deeper than {max_depth} levels") from error
    if _deeper_than(value, max_depth):
        raise JsonTooDeep(f"JSON is nested deeper than {max_depth} levels")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Walk the containers with an explicit stack (no recursion of our own)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, with ``loads``'s nesting limit: too deep is a 400 with a message."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return loads(codecs.getreader(encoding)(stream).read())
        except ValueError as error:  # JSONDecodeError, JsonTooDeep, UnicodeDecodeError
            raise ParseError(f"JSON parse error - {error}") from error
