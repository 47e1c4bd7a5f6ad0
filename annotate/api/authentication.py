"""Token authentication in one plain query: it runs on every API request."""
from django.contrib.auth import get_user_model
from rest_framework import authentication, exceptions

from annotate.raw_rows import first_instance, select_list

_USER_COLUMNS, _USER_ATTNAMES = select_list(get_user_model(), "u")
_USER_BY_TOKEN = f"""
    SELECT {_USER_COLUMNS} FROM auth_user u JOIN authtoken_token t ON t.user_id = u.id WHERE t.key = %s
"""


def token_key(request) -> str | None:
    """The key of a well-formed "Authorization: Token <key>" header (None for none or any other),
    parsed as TokenAuthentication parses it, which answers the malformed ones."""
    parts = authentication.get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != TokenAuthentication.keyword.lower().encode():
        return None
    try:
        return parts[1].decode()
    except UnicodeError:
        return None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token scheme ("Authorization: Token <key>") with the lookup as one raw join; the
    ORM's select_related compilation cost more than the query. request.auth is the key."""

    def authenticate_credentials(self, key):
        user = first_instance(get_user_model(), _USER_BY_TOKEN, [key], _USER_ATTNAMES)
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, key
