"""REST endpoints: parse input, call one service, serialise the result. Nothing else."""
import django_filters
from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate import selectors, services
from annotate.accounts import services as accounts
from annotate.accounts.models import Invite
from annotate.api import serializers as s
from annotate.api.authentication import token_key
from annotate.errors import InvalidInput
from annotate.models import Document, Membership, SpanLink
from annotate.permissions import (
    ARCHIVE_PROJECT,
    INVITE_MEMBERS,
    ADD_DOCUMENTS,
    ADD_MEMBER,
    CHANGE_ROLE,
    DELETE_DOCUMENTS,
    DELETE_PROJECT,
    EDIT_DOCUMENTS,
    EDIT_PROJECT,
    REMOVE_MEMBER,
    document_for_user,
    membership_for_user,
    project_for_user,
    span_for_user,
)
from annotate.validation import ANY_VERSION


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=s.TokenIn,
        responses=s.TokenOut,
        description="429 with Retry-After once the account or the client address has LOGIN_FAILURE_LIMIT "
        "failed attempts (the login page counts too), until LOGIN_COOLOFF_MINUTES pass.",
    )
    def post(self, request):
        data = _valid(s.TokenIn, request.data)
        # The Django request, so django-axes flags a lockout where its middleware looks (429).
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            # 400 as DRF's own obtain_auth_token answers: there is no scheme to challenge with.
            raise InvalidInput({"non_field_errors": ["Wrong username or password."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProjectListView(ListAPIView):
    serializer_class = s.ProjectOut

    def get_queryset(self):
        return selectors.visible_projects(user=self.request.user)

    @extend_schema(request=s.ProjectIn, responses={201: s.ProjectOut})
    def post(self, request):
        data = _valid(s.ProjectIn, request.data)
        project = services.project_create(creator=request.user, **data)
        project.my_role = "manager"
        return Response(s.ProjectOut(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    @extend_schema(responses=s.ProjectOut)
    def get(self, request, pk: int):
        project, _ = project_for_user(request.user, pk)
        return Response(s.ProjectOut(project).data)

    @extend_schema(request=s.ProjectIn, responses=s.ProjectOut)
    def patch(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=EDIT_PROJECT)
        data = _valid(s.ProjectIn, request.data, partial=True)
        project = services.project_update(project=project, access=access, **data)
        return Response(s.ProjectOut(project).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=DELETE_PROJECT)
        services.project_delete(project=project, access=access)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectArchiveView(APIView):
    """The project page's archive button as an API: the same service, rule and messages."""

    @extend_schema(request=None, responses=s.ProjectOut, description="Archive the project (managers): listed apart, "
                   "the queue hands out none of its documents; everything in it stays.")
    def post(self, request, pk: int):
        return self._archived(request, pk, archived=True)

    @extend_schema(responses=s.ProjectOut, description="Unarchive the project (managers).")
    def delete(self, request, pk: int):
        return self._archived(request, pk, archived=False)

    def _archived(self, request, pk: int, *, archived: bool) -> Response:
        project, access = project_for_user(request.user, pk, may=ARCHIVE_PROJECT)
        project = services.project_archive(project=project, access=access, archived=archived)
        project.my_role = access.role
        return Response(s.ProjectOut(project).data)


class MemberListView(ListAPIView):
    serializer_class = s.MemberOut
    queryset = Membership.objects.none()  # for the schema; get_queryset scopes by project

    def get_queryset(self):
        project, _ = project_for_user(self.request.user, self.kwargs["pk"])
        return selectors.project_members(project=project)

    @extend_schema(request=s.MemberIn, responses={201: s.MemberOut})
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=ADD_MEMBER)
        membership = services.member_add(project=project, access=access, **_valid(s.MemberIn, request.data))
        return Response(s.MemberOut(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    """A member is addressed by username: /projects/{id}/members/{username}/."""

    @extend_schema(responses=s.MemberOut)
    def get(self, request, pk: int, username: str):
        membership, _ = membership_for_user(request.user, pk, username)
        return Response(s.MemberOut(membership).data)

    @extend_schema(request=s.MemberRoleIn, responses=s.MemberOut)
    def patch(self, request, pk: int, username: str):
        membership, access = membership_for_user(request.user, pk, username, may=CHANGE_ROLE)
        membership = services.member_update(membership=membership, access=access, **_valid(s.MemberRoleIn, request.data))
        return Response(s.MemberOut(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, username: str):
        membership, access = membership_for_user(request.user, pk, username, may=REMOVE_MEMBER)
        services.member_remove(membership=membership, access=access)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Words in the title or outlet")
    outlet = django_filters.CharFilter(field_name="outlet")
    language = django_filters.CharFilter(field_name="language")
    external_id = django_filters.CharFilter(field_name="external_id")
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Document
        fields = ["search", "outlet", "language", "external_id", "published_after", "published_before"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(outlet__icontains=value))


class DocumentListView(ListAPIView):
    serializer_class = s.DocumentOut
    filterset_class = DocumentFilter
    queryset = Document.objects.none()  # for the schema; get_queryset scopes by project

    def get_queryset(self):
        project, _ = project_for_user(self.request.user, self.kwargs["pk"])
        return selectors.project_documents(project=project)

    @extend_schema(
        request=s.DocumentIn(many=True),
        responses={201: s.DocumentCreatedOut},
        description="One document (an object) or up to 1,000 (a list), all or nothing.",
    )
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=ADD_DOCUMENTS)
        many = isinstance(request.data, list)
        # One ListSerializer for the batch: a serializer per item would deep-copy its fields each time.
        serializer = s.DocumentIn(data=request.data if many else [request.data], many=True)
        if not serializer.is_valid():
            problems = _item_errors(serializer.errors)
            if not many:
                raise InvalidInput(problems[0]["errors"])
            raise InvalidInput({"items": problems})
        shaped = serializer.validated_data
        try:
            documents = services.documents_create(project=project, access=access, actor=request.user, items=shaped)
        except InvalidInput as error:
            if not many and "items" in error.detail:
                raise InvalidInput(error.detail["items"][0]["errors"]) from error
            raise
        if not many:
            return Response(s.DocumentDetailOut(documents[0]).data, status=status.HTTP_201_CREATED)
        # Ids only: echoing 1,000 documents back would cost a third of the request.
        return Response({"count": len(documents), "ids": [d.pk for d in documents]}, status=status.HTTP_201_CREATED)


def _item_errors(errors) -> list[dict]:
    """A ListSerializer's errors (a list, or a dict keyed by item index) as [{"index", "errors"}]."""
    if isinstance(errors, list):
        return [{"index": i, "errors": e} for i, e in enumerate(errors) if e]
    if errors and all(str(key).isdigit() for key in errors):
        return [{"index": int(key), "errors": e} for key, e in sorted(errors.items(), key=lambda kv: int(kv[0]))]
    return [{"index": 0, "errors": errors}]


class DocumentDetailView(APIView):
    @extend_schema(responses=s.DocumentDetailOut)
    def get(self, request, pk: int):
        document, _ = document_for_user(request.user, pk)
        return _with_etag(Response(s.DocumentDetailOut(document).data), document.version)

    @extend_schema(request=s.DocumentPatchIn, responses={200: s.DocumentDetailOut, 412: None, 428: None})
    def patch(self, request, pk: int):
        document, access = document_for_user(request.user, pk, may=EDIT_DOCUMENTS)
        data = dict(_valid(s.DocumentPatchIn, request.data, partial=True))
        document = services.document_update(document=document, access=access, fields=data, **_precondition(request, data))
        return _with_etag(Response(s.DocumentDetailOut(document).data), document.version)

    @extend_schema(responses={204: None, 412: None, 428: None})
    def delete(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False, may=DELETE_DOCUMENTS)
        services.document_delete(document=document, access=access, **_precondition(request, _body_version(request)))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _span_out(span) -> dict:
    links = list(SpanLink.objects.filter(attribution=span).values_list("target_id", flat=True))
    return selectors.span_as_dict(span, annotator_username=span.annotator.username, links=links)


class SpanListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "annotator",
                OpenApiTypes.STR,
                description="Omit for your own spans; 'all' or a username (reviewers and managers).",
            )
        ],
        responses=s.SpanOut(many=True),
        description="Every visible span of the document in text order, in one response.",
    )
    def get(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False)
        spans = selectors.visible_spans(document=document, access=access, annotator=request.query_params.get("annotator"))
        return Response(selectors.span_rows(spans))

    _token_read = None
    _plain = None

    def initial(self, request, *args, **kwargs):
        # The hot path, a plain span save sent with an API token: the token's user is looked up
        # with the save's permission check and text window, in one query, and set on the request
        # before DRF's authentication would look it up alone. Anything else (no such token, a
        # non-member, another body) is authenticated and checked as before.
        key = token_key(request) if request.method == "POST" else None
        if key is not None:
            try:
                data = self._plain_body(request)
            except APIException:
                data = None  # answered by post(), as before
            found = data and services.span_create_read_for_token(key=key, document_id=kwargs["pk"], fields=data)
            if found:
                request.user, request.auth = found[0], key
                self._token_read = found[1]
        super().initial(request, *args, **kwargs)

    def _plain_body(self, request) -> dict | None:
        """plain_span_create of the body, read once: DRF raises a body's parse error only on
        the first read of request.data, and initial() may be the first."""
        if self._plain is None:
            try:
                self._plain = (s.plain_span_create(request.data), None)
            except APIException as error:
                self._plain = (None, error)
        data, error = self._plain
        if error is not None:
            raise error
        return data

    @extend_schema(request=s.SpanCreateIn, responses={201: s.SpanOut})
    def post(self, request, pk: int):
        # The hot path: the membership check comes with the write's own query (span_create_for_user),
        # so the body is read first; a non-member still gets 404 before any 400 about the body.
        try:
            data = self._plain_body(request)  # the common body, checked without the serializer
            if data is None:
                serializer = s.SpanCreateIn(data=request.data)
                valid = serializer.is_valid()
        except APIException:
            document_for_user(request.user, pk, with_text=False)
            raise
        if data is None:
            if not valid:
                document_for_user(request.user, pk, with_text=False)
                serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        username = data.pop("annotator", None)  # another's layer: the service checks the right
        if username is None:
            owner = request.user
            span = services.span_create_for_user(user=request.user, document_id=pk, fields=data, read=self._token_read)
        else:
            document, access = document_for_user(request.user, pk, with_text=False)
            owner = selectors.layer_owner(project_id=document.project_id, username=username)
            span = services.span_create(document=document, access=access, actor=request.user, fields=data, annotator=owner)
        return Response(
            selectors.span_as_dict(span, annotator_username=owner.username, links=[]),
            status=status.HTTP_201_CREATED,
        )


def _precondition(request, data: dict) -> dict:
    """The service arguments for optimistic concurrency: the version the client edited, from
    the body ("version", taken out of `data`) or an If-Match header ("3", W/"3" or *), and
    whether one is required (settings.REQUIRE_PRECONDITION)."""
    expected = data.pop("version", None)
    if_match = request.headers.get("If-Match", "").strip()
    if expected is None and if_match:
        if if_match == ANY_VERSION:
            expected = ANY_VERSION
        else:
            tag = if_match.removeprefix("W/").strip('"')
            if not tag.isdigit():
                raise InvalidInput({"If-Match": ['Send the version you read (the ETag), e.g. If-Match: "3".']})
            expected = int(tag)
    return {"expected_version": expected, "version_required": settings.REQUIRE_PRECONDITION}


def _body_version(request) -> dict:
    """A DELETE may carry {"version": n} in its body instead of an If-Match header."""
    data = request.data if isinstance(request.data, dict) else {}
    version = data.get("version")
    if version is None:
        return {}
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidInput({"version": ["A whole number, the version you read."]})
    return {"version": version}


def _with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


class SpanDetailView(APIView):
    @extend_schema(responses=s.SpanOut)
    def get(self, request, pk: int):
        span, _ = span_for_user(request.user, pk)
        return _with_etag(Response(_span_out(span)), span.version)

    @extend_schema(request=s.SpanPatchIn, responses={200: s.SpanOut, 412: None, 428: None})
    def patch(self, request, pk: int):
        span, access = span_for_user(request.user, pk)
        data = dict(_valid(s.SpanPatchIn, request.data))
        span = services.span_update(
            span=span, access=access, actor=request.user, fields=data, **_precondition(request, data)
        )
        return _with_etag(Response(_span_out(span)), span.version)

    @extend_schema(responses={204: None, 412: None, 428: None})
    def delete(self, request, pk: int):
        span, access = span_for_user(request.user, pk)
        services.span_delete(span=span, access=access, actor=request.user, **_precondition(request, _body_version(request)))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpanLinkListView(APIView):
    """Links from an attribution span to the spans whose content it attributes."""

    @extend_schema(responses=s.LinkIn(many=True))
    def get(self, request, pk: int):
        span, _ = span_for_user(request.user, pk)
        return Response([{"target": t} for t in span.links_out.order_by("id").values_list("target_id", flat=True)])

    @extend_schema(request=s.LinkIn, responses={201: s.SpanOut})
    def post(self, request, pk: int):
        attribution, access = span_for_user(request.user, pk)
        target_id = _valid(s.LinkIn, request.data)["target"]
        try:
            target, _ = span_for_user(request.user, target_id)
        except Http404:
            raise InvalidInput({"target": [f"No span {target_id} that you can see."]}) from None
        services.span_link_create(attribution=attribution, target=target, access=access, actor=request.user)
        return Response(_span_out(attribution), status=status.HTTP_201_CREATED)


class SpanLinkDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, target_id: int):
        attribution, access = span_for_user(request.user, pk)
        link = SpanLink.objects.filter(attribution=attribution, target_id=target_id).select_related("attribution__annotator").first()
        if link is None:
            raise Http404("No such link.")
        services.span_link_delete(link=link, access=access, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteOut(serializers.Serializer):
    id = serializers.IntegerField()
    invitee = serializers.CharField()
    role = serializers.CharField()
    invited_by = serializers.CharField(source="invited_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class InviteIn(serializers.Serializer):
    invitee = serializers.CharField(max_length=254, help_text="A username (an existing user is added at once) or an email.")
    role = serializers.CharField(max_length=16)


class InviteListView(APIView):
    """The members page's invite form as an API: the same service, rules and messages."""

    @extend_schema(responses=InviteOut(many=True), description="Open invites (managers).")
    def get(self, request, pk: int):
        project, _ = project_for_user(request.user, pk, may=INVITE_MEMBERS)
        invites = accounts.open_invites(project=project).select_related("invited_by").order_by("id")
        return Response(InviteOut(invites, many=True).data)

    @extend_schema(request=InviteIn, responses={201: OpenApiTypes.OBJECT}, description="Invite someone (managers): "
                   "an existing user is added as a member ({\"member\": ...}); anyone else gets a single-use link "
                   "({\"invite\": ..., \"link\": ..., \"mailed\": ...}), mailed when the invitee is an email.")
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=INVITE_MEMBERS)
        data = _valid(InviteIn, request.data)
        outcome = accounts.member_add_or_invite(
            project=project, access=access, invited_by=request.user, **data,
            link_for=lambda token: request.build_absolute_uri(reverse("invite-accept", args=[token])),
        )
        if outcome.invite is None:
            return Response({"member": s.MemberOut(outcome.membership).data}, status=status.HTTP_201_CREATED)
        body = {"invite": InviteOut(outcome.invite).data, "link": outcome.link, "mailed": outcome.mailed}
        return Response(body, status=status.HTTP_201_CREATED)


class InviteDetailView(APIView):
    @extend_schema(responses={204: None}, description="Withdraw an open invite (managers); its link stops working.")
    def delete(self, request, pk: int, invite_id: int):
        project, access = project_for_user(request.user, pk, may=INVITE_MEMBERS)
        invite = Invite.objects.filter(project=project, pk=invite_id).first()
        if invite is None:
            raise Http404("No such invite.")
        accounts.invite_revoke(invite=invite, access=access)
        return Response(status=status.HTTP_204_NO_CONTENT)
