"""factory_boy factories. Rows are built as the services would build them (length, hashes)."""
import factory
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from annotate.models import Document, Label, Membership, Project, Role, Span
from annotate.offsets import normalize_text, sha256_hex


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password="pass-word-123", **kwargs)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ANNOTATOR


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Story {n}")
    text = "The ministry said that inflation fell to 3% in May."
    outlet = "Daily Planet"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        received = kwargs["text"]
        text = normalize_text(received)
        kwargs.update(text=text, length=len(text), text_sha256=sha256_hex(text), received_sha256=sha256_hex(received))
        return super()._create(model_class, *args, **kwargs)


class SpanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Span

    document = factory.SubFactory(DocumentFactory)
    annotator = factory.SubFactory(UserFactory)
    label = Label.ASSERTION
    start = 0
    end = 3

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["quote"] = kwargs["document"].text[kwargs["start"] : kwargs["end"]]
        return super()._create(model_class, *args, **kwargs)


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key
