"""One key per source, so "the Ministry", "the ministry" and "Ministry" count as one voice.

Pure. The key folds case and width (NFKC + casefold), curly to straight apostrophes, drops the
leading article or possessive determiner and the punctuation around, and collapses spaces.
Groupings beyond that ("ministry officials" with "the ministry") are a person's call: merges.
"""
import re
import unicodedata

DETERMINERS = ("the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those")
_LEADING = re.compile(r"^(?:(?:" + "|".join(DETERMINERS) + r")\s+)+")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")
NO_SOURCE = ""  # the key of attributions whose source nobody wrote down


def source_key(source: str) -> str:
    text = unicodedata.normalize("NFKC", source or "").casefold().replace("\u2019", "'").replace("\u2018", "'")
    text = _SPACES.sub(" ", text).strip()
    text = _EDGE_PUNCTUATION.sub("", text)
    text = _LEADING.sub("", text)
    return _SPACES.sub(" ", text).strip()


def display_name(variants: dict[str, int]) -> str:
    """The form most attributions used (ties: the shortest, then alphabetical), article lowercased."""
    if not variants:
        return "(source not given)"
    name = sorted(variants.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0][0].strip()
    first, _, rest = name.partition(" ")
    if first.lower() in DETERMINERS and rest:
        name = f"{first.lower()} {rest}"
    return name or "(source not given)"
