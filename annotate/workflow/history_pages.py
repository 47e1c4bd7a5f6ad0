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
from itertools import accumulate
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

from annotate.models import Document, SpanAction, SpanBatch, SpanBatchDocument, SpanChange, SpanEvent

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
# unbounded); ("run", _Run, lo, hi): the run's sorted ids [lo:hi], read when a page shows them;
# ("change", pk): a SpanChange row of a batch's time.


@dataclass
class HistoryEvents:
    """The events span_history would give, with count() and slicing (what Django's Paginator and
    DRF's page-number pagination use) and latest(n), newest first."""

    project_id: int
    document_id: int | None = None
    actor_id: int | None = None
    _pieces: list | None = field(default=None, repr=False)
    _cumulative: list | None = field(default=None, repr=False)

    def _changes(self):
        rows = SpanChange.objects.filter(project_id=self.project_id)
        if self.document_id is not None:
            rows = rows.filter(document_id=self.document_id)
        if self.actor_id is not None:
            rows = rows.filter(actor_id=self.actor_id)
        return rows

    def _runs(self) -> list[_Run]:
        """One line per batch row, its batch's time from a separate read of the few batches
        (not one timestamp parsed per row)."""
        rows = SpanBatchDocument.objects.filter(batch__project_id=self.project_id)
        batches = SpanBatch.objects.filter(project_id=self.project_id)
        if self.document_id is not None:
            rows = rows.filter(document_id=self.document_id)
        if self.actor_id is not None:
            rows = rows.filter(batch__actor_id=self.actor_id)
            batches = batches.filter(actor_id=self.actor_id)
        n, first, last = (RawSQL(sql, []) for sql in _RUN[connection.vendor])
        lines = list(rows.annotate(n=n, first=first, last=last).filter(n__gt=0)
                     .values_list("pk", "batch_id", "document_id", "n", "first", "last").order_by())  # fmt: skip
        if not lines:
            return []
        known = {pk: (at, actor_id) for pk, at, actor_id in batches.values_list("pk", "at", "actor_id").order_by()}
        return [_Run(pk, batch_id, *known[batch_id], document_id, n, first, last) for pk, batch_id, document_id, n, first, last in lines]

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
        which = Case(*(When(at=t, then=Value(i)) for i, t in enumerate(times)), output_field=IntegerField())
        for i, span_id, pk in (  # the time's index, not the time: parsing timestamps costs more than the rest
            self._changes().filter(at__in=times).annotate(i=which).values_list("i", "span_id_value", "id").order_by()
        ):
            at_times[times[i]].append((span_id, pk))
        by_time: dict[datetime, list[_Run]] = {t: [] for t in times}
        for run in runs:
            by_time[run.at].append(run)
        blocks = self._blocks([(by_time[t], sorted(at_times[t])) for t in times])
        pieces, counted = [], 0
        for i, t in enumerate(times):
            # stretch before t: rows before t, less those before or at the previous batch time
            pieces.append(("gap", times[i - 1] if i else None, t, before[f"t{i}"] - counted))
            counted = before[f"t{i}"] + len(at_times[t])
            pieces += blocks[i]
        pieces.append(("gap", times[-1], None, before["total"] - counted))
        self._pieces = [piece for piece in pieces if _size(piece)]
        return self._pieces

    def _blocks(self, blocks: list[tuple[list[_Run], list[tuple[int, int]]]]) -> list[list]:
        """Each batch time's runs and SpanChange rows in span order (a batch's span before a
        change row of the same span id: its event id is minus the span id). A run with such rows
        inside its id range is cut where they come (how many of its ids are below each: counted
        in the database); a run overlapping another (two batches of one time) goes span by span."""
        overlapping, inside = set(), {}
        for runs, changes in blocks:
            runs.sort(key=lambda run: run.first)
            spans = [span_id for span_id, _ in changes]
            for i, run in enumerate(runs):
                if i and run.first <= runs[i - 1].last:
                    overlapping.update((run.pk, runs[i - 1].pk))
                within = spans[bisect_left(spans, run.first) : bisect_right(spans, run.last)]
                if within:
                    inside[run.pk] = within
        ids = _ids_of(overlapping)
        below = _below(inside)
        out = []
        for runs, changes in blocks:
            keyed = [((span_id, 1, pk), ("change", pk)) for span_id, pk in changes]
            for run in runs:
                if run.pk in overlapping:
                    keyed += [((span_id, 0, 0), ("run", run, j, j + 1)) for j, span_id in enumerate(ids[run.pk])]
                elif run.pk in inside:
                    # cut after the ids up to each change row's span: that part comes after the row
                    cuts = [(0, (run.first, 0, 0))] + sorted((below[run.pk, s], (s, 2, 0)) for s in inside[run.pk])
                    cuts.append((run.n, None))
                    keyed += [(key, ("run", run, lo, hi)) for (lo, key), (hi, _) in zip(cuts, cuts[1:]) if hi > lo]
                else:
                    keyed.append(((run.first, 0, 0), ("run", run, 0, run.n)))
            keyed.sort(key=lambda item: item[0])
            out.append([piece for _, piece in keyed])
        return out

    def _ends(self) -> list[int]:
        """Each piece's end position (cumulative sizes), made once."""
        if self._cumulative is None:
            self._cumulative = list(accumulate(_size(piece) for piece in self._layout()))
        return self._cumulative

    def count(self) -> int:
        ends = self._ends()
        return ends[-1] if ends else 0

    def __len__(self) -> int:
        return self.count()

    def latest(self, n: int) -> list[SpanEvent]:
        total = self.count()
        return self[max(total - n, 0) : total][::-1]

    def __getitem__(self, index: slice) -> list[SpanEvent]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("HistoryEvents takes slices only")
        start, stop, _ = index.indices(self.count())
        pieces, ends = self._layout(), self._ends()
        wanted = []  # (piece, offset into it, how many)
        for i in range(bisect_right(ends, start), len(pieces)):
            position = ends[i] - _size(pieces[i])
            if position >= stop:
                break
            skip = max(start - position, 0)
            wanted.append((pieces[i], skip, min(stop, ends[i]) - position - skip))
        return self._events(wanted)

    def _events(self, wanted: list) -> list[SpanEvent]:
        ids = _ids_of({piece[1].pk for piece, _, _ in wanted if piece[0] == "run"})
        changes = [piece[1] for piece, _, _ in wanted if piece[0] == "change"]
        rows = {row.pk: row for row in _with_relations(SpanChange.objects.filter(pk__in=changes))} if changes else {}
        shown: list = []  # SpanChange rows, or (run, span id) of a batch's spans
        for piece, skip, count in wanted:
            if piece[0] == "gap":
                shown += self._gap(piece, skip, count)
            elif piece[0] == "run":
                _, run, lo, _ = piece
                shown += [(run, span_id) for span_id in ids[run.pk][lo + skip : lo + skip + count]]
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
    return piece[3] if piece[0] == "gap" else piece[3] - piece[2] if piece[0] == "run" else 1


def _ids_of(pks) -> dict[int, list[int]]:
    """Runs' span ids, sorted."""
    if not pks:
        return {}
    return {pk: sorted(ids) for pk, ids in SpanBatchDocument.objects.filter(pk__in=pks).values_list("pk", "span_ids")}


def _below(inside: dict[int, list[int]]) -> dict[tuple[int, int], int]:
    """(run, span id): how many of the run's ids are at most that span id. Counted in PostgreSQL
    (ints back, not the runs' lists); elsewhere from the lists."""
    pairs = [(pk, span_id) for pk, spans in inside.items() for span_id in spans]
    if not pairs:
        return {}
    if connection.vendor != "postgresql":
        ids = _ids_of(inside)
        return {(pk, span_id): bisect_right(ids[pk], span_id) for pk, span_id in pairs}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.pk, c.span, (SELECT count(*) FROM jsonb_array_elements_text(p.span_ids) v WHERE v::bigint <= c.span) "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS c(pk, span) JOIN annotate_spanbatchdocument p ON p.id = c.pk",
            [[pk for pk, _ in pairs], [span_id for _, span_id in pairs]],
        )
        return {(pk, span_id): n for pk, span_id, n in cursor.fetchall()}


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
