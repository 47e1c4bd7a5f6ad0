"""manage.py export_project: a project's dataset to a file or stdout, as the API would stream it."""
import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from annotate.datasets.selectors import ExportFilters, buffered, export_stream
from annotate.errors import ServiceError
from annotate.datasets.records import CSV_SAFETY
from annotate.datasets.registry import DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS, OFFSET_UNITS
from annotate.models import Layer, Project, Role
from annotate.permissions import Access


class Command(BaseCommand):
    help = "Export a project's labels (every layer visible, as for a manager)."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("--format", choices=EXPORT_FORMATS, default=DEFAULT_EXPORT_FORMAT)
        parser.add_argument("--output", help="File to write (default: stdout).")
        parser.add_argument("--manifest", help="Also write the manifest, with content_sha256, to this file.")
        parser.add_argument("--layer", choices=Layer.values, default=Layer.INDIVIDUAL)
        parser.add_argument("--annotator", action="append", default=[], help="Repeatable.")
        parser.add_argument("--label", action="append", default=[], help="Repeatable.")
        parser.add_argument("--done-only", action="store_true")
        parser.add_argument("--offset-unit", choices=OFFSET_UNITS, default="codepoint")
        parser.add_argument(
            "--csv-safety", choices=CSV_SAFETY, default="spreadsheet", help="csv: raw keeps formula-like cells as stored."
        )
        parser.add_argument("--comments", action="store_true", help="conll: also write '# ...' comment lines.")
        for name in ("published-after", "published-before", "annotated-after", "annotated-before"):
            parser.add_argument(f"--{name}", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")

    def handle(self, *args, **options):
        project_id = options["project_id"]
        if not Project.objects.filter(pk=project_id).exists():
            raise CommandError(f"No project {project_id}.")
        operator = Access(user_id=0, project_id=project_id, role=Role.MANAGER)
        manifest: dict = {}
        filters = ExportFilters(
            layer=options["layer"],
            annotators=tuple(sorted(set(options["annotator"]))),
            labels=tuple(sorted(set(options["label"]))),
            done_only=options["done_only"],
            published_after=options["published_after"],
            published_before=options["published_before"],
            annotated_after=options["annotated_after"],
            annotated_before=options["annotated_before"],
        )
        try:  # export_stream checks the options and filters before it streams
            stream = export_stream(
                access=operator,
                project_id=project_id,
                format=options["format"],
                filters=filters,
                offset_unit=options["offset_unit"],
                manifest_out=manifest,
                csv_safety=options["csv_safety"],
                render_options={"comments": True} if options["comments"] else None,
            )
        except ServiceError as error:
            raise CommandError(json.dumps(error.detail)) from error
        chunks = buffered(stream)
        if options["output"]:
            with open(options["output"], "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        else:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
        if options["manifest"]:  # read in the same snapshot as the export just written
            with open(options["manifest"], "w", encoding="utf-8") as out:
                json.dump(manifest, out, ensure_ascii=False, indent=2)
                out.write("\n")
