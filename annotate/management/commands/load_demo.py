"""manage.py load_demo: a demo project with a few news-style documents and spans of every label.

Runs through the same services as the API. Idempotent: a second run changes nothing. The demo
manager's password is generated and printed once, on the run that creates the account."""
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotate import services
from annotate.models import Project
from annotate.permissions import access_for
from annotate.services.assignments import assignment_mark_done

DEMO_PROJECT = "Demo: newsroom claims"

GUIDELINES = """\
# How to label

- **assertion**: the text states something as fact. *"Inflation fell to 3% in May."*
- **attribution**: the text ascribes a statement to a source. *"the ministry said that"*.
  Link it to the assertion it attributes.
- **disputed**: a claim the text itself, or your evidence, contests. Give the basis.

Select the words, then press `1`, `2` or `3`. Press `?` for every shortcut.
"""

DOCUMENTS = [
    {
        "external_id": "demo-001",
        "title": "Ministry says inflation fell to 3% in May",
        "outlet": "The Harbour Courier",
        "author": "Ines Duarte",
        "published_on": "2026-06-02",
        "language": "en",
        "source_url": "https://example.org/harbour-courier/inflation-may",
        "text": (
            "The finance ministry said on Monday that inflation fell to 3% in May, its lowest level "
            "in two years.\r\n\r\nOpposition economists dispute the figure, arguing that the new "
            "basket of goods leaves out rent. \"Households are not feeling any relief,\" said Maria "
            "Costa, an economist at the Institute for Fiscal Studies.\r\n\r\nThe central bank will "
            "publish its own estimate on 14 June."
        ),
        "spans": [
            ("attribution", "The finance ministry said on Monday that", {"source": "the finance ministry"}),
            ("assertion", "inflation fell to 3% in May, its lowest level in two years", {}),
            (
                "disputed",
                "inflation fell to 3% in May",
                {"dispute_basis": "within_text", "note": "Opposition economists contest the basket."},
            ),
            ("assertion", "The central bank will publish its own estimate on 14 June", {}),
        ],
        "links": [(0, 1)],
    },
    {
        "external_id": "demo-002",
        "title": "Bridge reopening delayed again, council confirms 📰",
        "outlet": "Valley Gazette",
        "author": "Tom Okafor",
        "published_on": "2026-05-18",
        "language": "en",
        "source_url": "https://example.org/valley-gazette/bridge",
        "text": (
            "📰 Update: the Old Mill bridge will stay closed until September, the council confirmed "
            "in a statement. Engineers found corrosion in two of the main cables 🔧.\n\nA "
            "spokesperson for the contractor claimed the work was \"on schedule\", although the "
            "original reopening date was March."
        ),
        "spans": [
            ("assertion", "the Old Mill bridge will stay closed until September", {}),
            ("attribution", "the council confirmed in a statement", {"source": "the council"}),
            ("assertion", "Engineers found corrosion in two of the main cables 🔧", {}),
            (
                "disputed",
                "the work was \"on schedule\"",
                {
                    "dispute_basis": "within_text",
                    "note": "The article gives the original date as March.",
                },
            ),
        ],
        "links": [(1, 0)],
    },
    {
        "external_id": "demo-003",
        "title": "Café owners in São Paulo report record season",
        "outlet": "Correio Económico",
        "author": "Joana Veríssimo",
        "published_on": "2026-04-30",
        "language": "en",
        "text": (
            "Café owners in São Paulo reported their best season in a decade, according to a survey "
            "by the city's chamber of commerce. The survey covered 412 businesses.\n\nTourism "
            "officials said visitor numbers rose by 18%, a figure that independent fact-checkers "
            "have questioned."
        ),
        "spans": [
            ("assertion", "Café owners in São Paulo reported their best season in a decade", {}),
            ("attribution", "according to a survey by the city's chamber of commerce", {"source": "chamber of commerce"}),
            ("attribution", "Tourism officials said", {"source": "tourism officials"}),
            (
                "disputed",
                "visitor numbers rose by 18%",
                {
                    "dispute_basis": "fact_check",
                    "evidence_links": ["https://example.org/factcheck/visitor-numbers"],
                },
            ),
        ],
        "links": [(1, 0), (2, 3)],
    },
    {
        "external_id": "demo-004",
        "title": "School meals programme to expand next year",
        "outlet": "The Harbour Courier",
        "published_on": "2026-06-10",
        "language": "en",
        "text": (
            "The education department announced that free school meals will be offered in every "
            "primary school from January. Officials estimate the programme will cost 40 million "
            "a year.\n\nThis document has no spans yet: try labelling it."
        ),
        "spans": [],
        "links": [],
    },
]


# Two more annotators label the first two stories, not quite alike, so the agreement page and the
# adjudication view have something to show: (document index, username, [(label, quote), ...]).
TEAM_LAYERS = [
    (0, "ana", [
        ("attribution", "The finance ministry said on Monday that"),
        ("assertion", "inflation fell to 3% in May, its lowest level in two years"),
        ("disputed", "inflation fell to 3% in May"),
    ]),
    (0, "ben", [
        ("attribution", "The finance ministry said"),
        ("assertion", "inflation fell to 3% in May, its lowest level in two years"),
        ("assertion", "The central bank will publish its own estimate on 14 June"),
    ]),
    (1, "ana", [
        ("assertion", "the Old Mill bridge will stay closed until September"),
        ("attribution", "the council confirmed in a statement"),
        ("disputed", "the work was \"on schedule\""),
    ]),
    (1, "ben", [
        ("assertion", "the Old Mill bridge will stay closed until September"),
        ("attribution", "the council confirmed in a statement"),
        ("assertion", "Engineers found corrosion in two of the main cables 🔧"),
        ("disputed", "the work was \"on schedule\""),
    ]),
]


class Command(BaseCommand):
    help = "Load a demo project with sample documents and spans (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument(
            "--reset-password", action="store_true",
            help="Give the demo manager a new password and print it (the first one is shown only once).",
        )

    @transaction.atomic
    def handle(self, *args, username, reset_password=False, **options):
        User = get_user_model()
        if reset_password:
            return self._reset_password(User, username)
        if Project.objects.filter(name=DEMO_PROJECT).exists():
            self.stdout.write(f"The demo project is already loaded (sign in as '{username}').")
            return
        password = secrets.token_urlsafe(9)
        manager, created = User.objects.get_or_create(username=username)
        if created:
            manager.set_password(password)
            manager.save(update_fields=["password"])
        project = services.project_create(creator=manager, name=DEMO_PROJECT, guidelines=GUIDELINES,
                                          description="Sample news stories to try every label on.")
        access = access_for(manager, project.pk)
        items = [{k: v for k, v in doc.items() if k not in ("spans", "links")} for doc in DOCUMENTS]
        documents = services.documents_create(project=project, access=access, actor=manager, items=items)
        for document, spec in zip(documents, DOCUMENTS):
            spans = []
            for label, quote, extra in spec["spans"]:
                start = document.text.index(quote)
                fields = {"start": start, "end": start + len(quote), "label": label, "quote": quote, **extra}
                spans.append(services.span_create(document=document, access=access, actor=manager, fields=fields))
            for attribution, target in spec["links"]:
                services.span_link_create(attribution=spans[attribution], target=spans[target], access=access,
                                          actor=manager)
        self._load_team_layers(project, documents, access)
        self.stdout.write(self.style.SUCCESS(f"Loaded '{DEMO_PROJECT}' with {len(documents)} documents."))
        if created:
            self.stdout.write(self.style.WARNING(
                f"Demo manager login (shown once): username '{username}', password '{password}'"
            ))
        else:
            self.stdout.write(f"Sign in as the existing user '{username}'.")

    def _reset_password(self, User, username: str) -> None:
        manager = User.objects.filter(username=username).first()
        if manager is None:
            raise CommandError(f"There is no user {username!r}: run load_demo without --reset-password first.")
        password = secrets.token_urlsafe(9)
        manager.set_password(password)
        manager.save(update_fields=["password"])
        self.stdout.write(self.style.WARNING(f"New password for '{username}' (shown once): '{password}'"))

    def _load_team_layers(self, project, documents, manager_access):
        """Annotators ana and ben (no password: a manager can set one in the admin) label the
        first two documents and mark them done."""
        User = get_user_model()
        services.project_update(project=project, access=manager_access, reviewers_per_document=2)
        for username in ("ana", "ben"):
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            services.member_add(project=project, access=manager_access, username=username, role="annotator")
        for document_index, username, spans in TEAM_LAYERS:
            user = User.objects.get(username=username)
            document = documents[document_index]
            access = access_for(user, project.pk)
            for label, quote in spans:
                start = document.text.index(quote)
                fields = {"start": start, "end": start + len(quote), "label": label, "quote": quote}
                if label == "disputed":
                    fields["dispute_basis"] = "within_text"
                services.span_create(document=document, access=access, actor=user, fields=fields)
            assignment_mark_done(document=document, access=access)
