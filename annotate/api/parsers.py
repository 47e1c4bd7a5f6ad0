"""The API's JSON parser: DRF's, through annotate.json_input (nesting limit, no lone surrogates)."""
import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from annotate import json_input


class JSONParser(parsers.JSONParser):
    """400 {"detail": ...} naming JSON_MAX_DEPTH for a body nested too deep (where DRF's parser
    would raise a RecursionError: a 500), and {field: [...]} for a lone surrogate anywhere in
    the body (DRF's CharField checks only its own fields, not keys, lists or JSON fields)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - the body is not {encoding}: {error.reason}.") from None
        try:
            return json_input.loads(text)
        except json_input.JSONInputError as error:
            if error.field is not None:  # shaped like a serializer's error: {field: [message]}
                raise ParseError({error.field: [error.message]}) from None
            raise ParseError(f"JSON parse error - {error.message}") from None
