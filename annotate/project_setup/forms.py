"""Forms check shape (types, lengths, dates); the rules and their messages are the services'."""
from django import forms

from annotate.form_helpers import AppForm
from annotate.models import Role
from annotate.datasets.registry import IMPORT_FORMATS

REQUIRED = {"aria-required": "true"}  # the service says what is missing, in the API's words
DATE_HELP = "YYYY-MM-DD, e.g. 2026-05-31."


class ProjectForm(AppForm):
    name = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs=REQUIRED))
    description = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences: what the project labels and why.",
    )
    guidelines = forms.CharField(
        required=False, max_length=200_000, widget=forms.Textarea(attrs={"rows": 12, "data-markdown-source": ""}),
        help_text="Markdown. Raw HTML is shown as text; links keep http, https and mailto.",
    )
    reviewers_per_document = forms.IntegerField(
        min_value=1, max_value=5, initial=1, label="Reviewers per document",
        help_text="How many members label each document before it counts as done (1 to 5).",
    )
    blind_review = forms.BooleanField(
        required=False, initial=True, label="Blind review",
        help_text="Reviewers and annotators do not see each other's spans until they mark their own work done.",
    )


class ProjectCreateForm(ProjectForm):
    """Name and description first; the rest has sensible defaults and lives on the settings page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("guidelines", "reviewers_per_document", "blind_review"):
            del self.fields[name]


class ProjectDeleteForm(AppForm):
    confirm_name = forms.CharField(required=False, label="Type the project's name to confirm", widget=forms.TextInput(attrs={"autocomplete": "off", **REQUIRED}))


class MemberAddForm(AppForm):
    invitee = forms.CharField(
        max_length=254, required=False, label="Username or email",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **REQUIRED}),
        help_text="Someone with an account is added at once; anyone else gets an invite link.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR)


class MemberRoleForm(AppForm):
    role = forms.ChoiceField(choices=Role.choices)


class DocumentForm(AppForm):
    title = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs=REQUIRED))
    outlet = forms.CharField(max_length=200, required=False)
    author = forms.CharField(max_length=300, required=False)
    # A text box, not type=date: pasted dates arrive in every shape and the error says which one works.
    published_on = forms.DateField(
        required=False, label="Published on", input_formats=["%Y-%m-%d"], help_text=DATE_HELP,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"inputmode": "numeric", "placeholder": "YYYY-MM-DD"}),
        error_messages={"invalid": f"Not a date: write it as {DATE_HELP}"},
    )
    source_url = forms.URLField(max_length=2000, required=False, label="Source URL", assume_scheme="https")
    language = forms.CharField(max_length=35, required=False, help_text="A BCP 47 tag such as en or pt-BR.")
    text = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 14, **REQUIRED}),
        help_text="Plain text. Line endings become \\n and the text is put in Unicode NFC.",
    )

    def service_fields(self) -> dict:
        """The cleaned values, as documents_create and document_update take them."""
        return dict(self.cleaned_data)


class DocumentEditForm(DocumentForm):
    # The version this form was filled from: saving over another manager's newer edit is a 412
    # (shown above the form), as for API clients sending If-Match.
    read_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, span_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        if span_count:
            text = self.fields["text"]
            text.disabled = True
            text.help_text = (
                f"The text cannot change: {span_count} span{' points' if span_count == 1 else 's point'} "
                "into it by offset. Delete the document and paste it again to change the text."
            )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("read_version")
        if self.fields["text"].disabled:
            data.pop("text")
        return data


class DocumentUploadForm(AppForm):
    file = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": ".jsonl,.csv,.txt,.zip", **REQUIRED}),
        help_text="jsonl (as exported, spans included), csv (one document a row), txt (one document), or a zip of them.",
    )
    format = forms.ChoiceField(
        required=False, choices=[("", "From the file name"), *[(f, f) for f in IMPORT_FORMATS]],
    )
    on_duplicate = forms.ChoiceField(
        label="Documents already in the project",
        choices=[("refuse", "Refuse the import"), ("skip", "Skip them"), ("merge", "Add their spans to them (same text)")],
        initial="refuse",
    )
    mapping = forms.CharField(
        required=False, label="brat mapping", max_length=100_000,
        help_text='brat only. JSON: {"Claim": "assertion", "Cue": "attribution", "Entity": null}; null ignores a type. '
        "Types named like our labels need none.",
    )
    annotator = forms.CharField(
        required=False, label="Annotator of plain .ann files", max_length=150,
        help_text="brat only. A username; empty: you. name_alice.ann beside name.txt, or alice/name.ann, is alice's.",
    )
    layer = forms.ChoiceField(
        required=False, label="Layer", choices=[("", "As the files say (a gold/ folder is gold)"), ("gold", "Gold: every span")],
        help_text="brat only. Gold spans belong to reviewers or managers.",
    )

    def __init__(self, *args, may_write_gold: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_write_gold:  # permissions.WRITE_OTHERS_LAYERS: nothing to offer
            del self.fields["layer"]
