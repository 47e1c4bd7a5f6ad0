"""Pages of the span history without sorting the whole `annotate_spanevent` view.

The view's order is (at, span_id_value, id). Its SpanChange rows come in that order from an index
(migration 0009); a batch's spans all share the batch's time and come in span-id order, and each
SpanBatchDocument row holds a sorted run of them. So the history is laid out from small reads,
one line per SpanBatchDocument row (its length, first and last span id), never one per batch
span: stretches of SpanChange rows between the batches' times (counted), and at each batch
time, the rows' runs and the SpanChange rows of that very time (the created states that first
changes wrote at the batch's time) in span order. A run with such a row inside its id range, or
overlapping another run, is read whole and split. A page then reads only the runs and the
SpanChange rows it shows. Same events, same order as the view (tests/test_history_pages.py)."""
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL

from annotate.models import Document, SpanAction, SpanBatchDocument, SpanChange, SpanEvent

_RUN = {  # a run's length, first and last id (its ids are sorted: services.history.batch_add)
    "postgresql": (
        "jsonb_array_length(annotate_spanbatchdocument.span_ids)",
        "(annotate_spanbatchdocument.span_ids ->> 0)::bigint",
        "(annotate_spanbatchdocument.span_ids ->> -1)::bigint",
    ),
    "sqlite": (
        "json_array_length(annotate_spanbatchdocument.span_ids)",
        "json_extract(annotate_spanbatchdocument.span_ids, '$[0]')",
        "json_extract(annotate_spanbatchdocument.span_ids, '$[#-1]')",
    ),
}


@dataclass(slots=True)
class _Run:
    pk: int
    batch_id: int
    at: datetime
    actor_id: int | None
    document_id: int
    n: int
    first: int
    last: int


# A layout piece: ("gap", after, before, n): the SpanChange rows with after < at < before (None:
# unbounded); ("run", _Run): a run read lazily; ("span", _Run, span id): one span of a run read
# whole; ("change", pk): a SpanChange row of a batch's time.


@dataclass
class HistoryEvents:
    """The events span_history would give, with count() and slicing (what Django's Paginator and
    DRF's page-number pagination use) and latest(n), newest first."""

    project_id: int
    document_id: int | None = None
    actor_id: int | None = None
    _pieces: list | None = field(default=None, repr=False)

    def _changes(self):
        rows = SpanChange.objects.filter(project_id=self.project_id)
        if self.document_id is not None:
            rows = rows.filter(document_id=self.document_id)
        if self.actor_id is not None:
            rows = rows.filter(actor_id=self.actor_id)
        return rows

    def _runs(self) -> list[_Run]:
        rows = SpanBatchDocument.objects.filter(batch__project_id=self.project_id)
        if self.document_id is not None:
            rows = rows.filter(document_id=self.document_id)
        if self.actor_id is not None:
            rows = rows.filter(batch__actor_id=self.actor_id)
        n, first, last = (RawSQL(sql, []) for sql in _RUN[connection.vendor])
        return [
            _Run(*row)
            for row in rows.annotate(n=n, first=first, last=last)
            .filter(n__gt=0)
            .values_list("pk", "batch_id", "batch__at", "batch__actor_id", "document_id", "n", "first", "last")
            .order_by()
        ]

    def _layout(self) -> list:
        if self._pieces is not None:
            return self._pieces
        runs = self._runs()
        times = sorted({run.at for run in runs})
        if not times:
            self._pieces = [("gap", None, None, self._changes().count())]
            return self._pieces
        # SpanChange rows before each batch time, and those at a batch time, in one query each
        before = self._changes().aggregate(
            **{f"t{i}": Count("id", filter=Q(at__lt=t)) for i, t in enumerate(times)}, total=Count("id")
        )
        at_times: dict[datetime, list[tuple[int, int]]] = {t: [] for t in times}
        for at, span_id, pk in self._changes().filter(at__in=times).values_list("at", "span_id_value", "id").order_by():
            at_times[at].append((span_id, pk))
        by_time: dict[datetime, list[_Run]] = {t: [] for t in times}
        for run in runs:
            by_time[run.at].append(run)
        blocks = {t: self._block(by_time[t], sorted(at_times[t])) for t in times}
        pieces, counted = [], 0
        for i, t in enumerate(times):
            # stretch before t: rows before t, less those before or at the previous batch time
            pieces.append(("gap", times[i - 1] if i else None, t, before[f"t{i}"] - counted))
            counted = before[f"t{i}"] + len(at_times[t])
            pieces += blocks[t]
        pieces.append(("gap", times[-1], None, before["total"] - counted))
        self._pieces = [piece for piece in pieces if _size(piece)]
        return self._pieces

    def _block(self, runs: list[_Run], changes: list[tuple[int, int]]) -> list:
        """One batch time's runs and SpanChange rows in span order (a batch's span before a
        change row of the same span id: its event id is minus the span id)."""
        runs.sort(key=lambda run: run.first)
        change_spans = [span_id for span_id, _ in changes]
        whole = set()
        for i, run in enumerate(runs):
            if i and run.first <= runs[i - 1].last:  # overlapping runs (two batches of one time)
                whole.update((run.pk, runs[i - 1].pk))
            if bisect_right(change_spans, run.last) > bisect_left(change_spans, run.first):
                whole.add(run.pk)
        ids = dict(SpanBatchDocument.objects.filter(pk__in=whole).values_list("pk", "span_ids")) if whole else {}
        keyed = [((span_id, 1, pk), ("change", pk)) for span_id, pk in changes]
        for run in runs:
            if run.pk in ids:
                keyed += [((span_id, 0, 0), ("span", run, span_id)) for span_id in ids[run.pk]]
            else:
                keyed.append(((run.first, 0, 0), ("run", run)))
        keyed.sort(key=lambda item: item[0])
        return [piece for _, piece in keyed]

    def count(self) -> int:
        return sum(_size(piece) for piece in self._layout())

    def __len__(self) -> int:
        return self.count()

    def latest(self, n: int) -> list[SpanEvent]:
        total = self.count()
        return self[max(total - n, 0) : total][::-1]

    def __getitem__(self, index: slice) -> list[SpanEvent]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("HistoryEvents takes slices only")
        start, stop, _ = index.indices(self.count())
        wanted, position = [], 0  # (piece, offset into it, how many)
        for piece in self._layout():
            size = _size(piece)
            if position + size > start and position < stop:
                skip = max(start - position, 0)
                wanted.append((piece, skip, min(stop - position, size) - skip))
            position += size
            if position >= stop:
                break
        return self._events(wanted)

    def _events(self, wanted: list) -> list[SpanEvent]:
        runs = [piece[1] for piece, _, _ in wanted if piece[0] == "run"]
        ids = dict(SpanBatchDocument.objects.filter(pk__in=[r.pk for r in runs]).values_list("pk", "span_ids")) if runs else {}
        changes = [piece[1] for piece, _, _ in wanted if piece[0] == "change"]
        rows = {row.pk: row for row in _with_relations(SpanChange.objects.filter(pk__in=changes))} if changes else {}
        shown: list = []  # SpanChange rows, or (run, span id) of a batch's spans
        for piece, skip, count in wanted:
            kind = piece[0]
            if kind == "gap":
                shown += self._gap(piece, skip, count)
            elif kind == "run":
                shown += [(piece[1], span_id) for span_id in sorted(ids[piece[1].pk])[skip : skip + count]]
            elif kind == "span":
                shown.append((piece[1], piece[2]))
            else:
                shown.append(rows[piece[1]])
        return _as_events(shown, self.project_id)

    def _gap(self, piece, skip: int, count: int) -> list[SpanChange]:
        _, after, before, size = piece
        rows = self._changes()
        if after is not None:
            rows = rows.filter(at__gt=after)
        if before is not None:
            rows = rows.filter(at__lt=before)
        order = ("at", "span_id_value", "id")
        if skip > size // 2:  # from the end: an index scan of the rows after the page, not before it
            tail = size - skip - count
            return list(_with_relations(rows.order_by(*(f"-{key}" for key in order)))[tail : tail + count])[::-1]
        return list(_with_relations(rows.order_by(*order))[skip : skip + count])


def _size(piece) -> int:
    return piece[3] if piece[0] == "gap" else piece[1].n if piece[0] == "run" else 1


def _with_relations(rows):
    return rows.select_related("actor", "document").defer("document__text")


def _as_events(shown: list, project_id: int) -> list[SpanEvent]:
    """SpanEvent instances as the view gives them (a batch's span: id = -span id, `after` empty,
    filled by history_expanded), with their actor and document, in two more queries at most."""
    batched = [item for item in shown if isinstance(item, tuple)]
    users = documents = {}
    if batched:
        users = get_user_model().objects.in_bulk({run.actor_id for run, _ in batched if run.actor_id is not None})
        documents = Document.objects.defer("text").in_bulk({run.document_id for run, _ in batched})
    events = []
    for item in shown:
        if isinstance(item, tuple):
            run, span_id = item
            event = SpanEvent(id=-span_id, project_id=project_id, document_id=run.document_id, span_id_value=span_id,
                              actor_id=run.actor_id, action=SpanAction.CREATE, before=None, after=None, at=run.at,
                              batch_id=run.batch_id)  # fmt: skip
            event.actor = users.get(run.actor_id)
            event.document = documents[run.document_id]
        else:
            event = SpanEvent(id=item.pk, project_id=item.project_id, document_id=item.document_id,
                              span_id_value=item.span_id_value, actor_id=item.actor_id, action=item.action,
                              before=item.before, after=item.after, at=item.at, batch_id=None)  # fmt: skip
            event.actor = item.actor
            event.document = item.document
        events.append(event)
    return events
