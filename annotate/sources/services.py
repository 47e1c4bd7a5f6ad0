"""Merging sources into one voice, and splitting them again."""
from django.db import transaction

from annotate.errors import invalid
from annotate.permissions import MERGE_SOURCES, Access, check

from .models import SourceMerge
from .normalise import NO_SOURCE, source_key


@transaction.atomic
def sources_merge(*, access: Access, sources: list, into: str) -> dict:
    """Count every source in `sources` (keys or names, as shown) under `into`. Chains resolve now:
    merging into a source that is itself merged goes to where that one went, and sources already
    merged into a merged key follow it."""
    check(access, MERGE_SOURCES)
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise invalid("sources", "A list of one or more sources (their keys or names).")
    if not isinstance(into, str):
        raise invalid("into", "The source to merge them into (its key or name).")
    merges = dict(SourceMerge.objects.select_for_update().filter(project_id=access.project_id).values_list("key", "into"))
    target = source_key(into)
    target = merges.get(target, target)
    if target == NO_SOURCE:
        raise invalid("into", "Name a source; attributions without one cannot be merged into.")
    keys = {source_key(s) for s in sources} - {target}
    if NO_SOURCE in keys:
        raise invalid("sources", "Attributions without a source cannot be merged.")
    if not keys:
        raise invalid("sources", "Name at least one source other than the one you merge into.")
    for key in keys:
        SourceMerge.objects.update_or_create(project_id=access.project_id, key=key, defaults={"into": target})
    SourceMerge.objects.filter(project_id=access.project_id, into__in=keys).update(into=target)
    return {"into": target, "merged": sorted(keys)}


@transaction.atomic
def sources_split(*, access: Access, key) -> dict:
    """`key` counts as its own source again (the merge that put it under another is undone)."""
    check(access, MERGE_SOURCES)
    if not isinstance(key, str) or not key.strip():
        raise invalid("key", "The source to split off (its key or name).")
    deleted, _ = SourceMerge.objects.filter(project_id=access.project_id, key=source_key(key)).delete()
    if not deleted:
        raise invalid("key", "This source is not merged into another.")
    return {"split": source_key(key)}
