"""raw_rows.first_instance: the instance a queryset would give, read converters applied (on
SQLite a datetime column comes back as text without them), extra values as attributes."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from annotate.api.authentication import TokenAuthentication
from annotate.raw_rows import first_instance, select_list
from tests.conftest import token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_authentication_gives_the_user_as_the_orm_reads_it():
    user = UserFactory()
    found, key = TokenAuthentication().authenticate_credentials(token_for(user))
    expected = get_user_model().objects.get(pk=user.pk)
    assert isinstance(found.date_joined, dt.datetime)
    assert {f.attname: getattr(found, f.attname) for f in found._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in expected._meta.concrete_fields
    }
    assert found._state.adding is False and key == token_for(user)


def test_extra_values_become_attributes_and_no_row_is_none():
    user = UserFactory(username="reader")
    model = get_user_model()
    columns, attnames = select_list(model, "u", without=("password",))
    sql = f"SELECT {columns}, 41 + 1 FROM auth_user u WHERE u.username = %s"
    found = first_instance(model, sql, ["reader"], attnames, extra=("answer",))
    assert (found.pk, found.answer) == (user.pk, 42)
    assert "password" in found.get_deferred_fields()
    assert first_instance(model, sql, ["nobody"], attnames, extra=("answer",)) is None
