"""Issue 10, finding 4: no admin URL answers 500, whatever the id or the query string.

Every admin URL pattern is requested with malformed ids ("abc", "1.5", NUL, "1e3", invalid UTF-8,
a 20-digit number) and every changelist and autocomplete with hostile query strings (quotes, NUL,
2 KB of words, huge integers, invalid UTF-8) in its search box and in each of its filter
parameters, as each role. Runs on SQLite and on PostgreSQL (DATABASE_URL). A 4xx, a redirect or a
page with a message are all fine; a 500 is a failure. All 500s are collected and reported at once.
"""

import re
from urllib.parse import parse_qsl, quote

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver

from tests.factories import role_user
from zhiku import roles

HUGE = "99999999999999999999"
WORDS_2KB = "+".join(["x"] * 1000)  # 2 KB, a thousand words
BAD_IDS = ["abc", "1.5", "%00", "1e3", "%FF", HUGE, "%27%22"]
# The search box gets every hostile value; filter parameters the ones that broke filters.
SEARCH_VALUES = ["%27", "%22%3E%3Cscript%3E", "a%00b", WORDS_2KB, HUGE, "%FF%FE"]
FILTER_VALUES = [HUGE, "-" + HUGE, "%27", "%FF"]
FEW_BAD_IDS = ["abc", "%00", HUGE]
FEW_SEARCH_VALUES = ["%00", WORDS_2KB, HUGE]
FEW_FILTER_VALUES = [HUGE]
_parameters_seen: dict[str, set[str]] = {}


def _admin_patterns() -> list[tuple[str, str | None]]:
    """(route, URL name) of every admin URL, routes joined from the nested resolvers."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return list(walk(admin.site.get_urls(), "/admin/"))


def _fill(route: str, ids: list[str]) -> list[str]:
    """URLs for a route, each placeholder given each malformed value (the others a plain 1)."""
    route = route.replace("^", "").replace("$", "")
    placeholders = re.findall(r"<[^>]+>|\(\?P<\w+>[^)]*\)|\([^)]*\)", route)
    if not placeholders:
        return [route]
    urls = []
    for index in range(len(placeholders)):
        url = route
        for position, placeholder in enumerate(placeholders):
            if position != index:
                value = "xlsx" if "file_format" in placeholder else "1"
                url = url.replace(placeholder, value, 1)
        for bad in ids:
            value = HUGE if placeholder_is_int(placeholders[index]) and not bad.isdigit() else bad
            urls.append(url.replace(placeholders[index], value, 1))
    return sorted(set(urls))


def placeholder_is_int(placeholder: str) -> bool:
    return placeholder.startswith("<int:")


def _filter_parameters(client: Client, changelist: str) -> set[str]:
    """The query parameters a changelist's filters and sorting use, read from its own links
    (once per test process: the superuser's page shows them all)."""
    if changelist not in _parameters_seen:
        page = client.get(changelist).content.decode(errors="replace")
        names = {"o", "p", "e", "_to_field", "_popup"}
        for query in re.findall(r'href="\?([^"#]*)"', page):
            names.update(name for name, _value in parse_qsl(query.replace("&amp;", "&")))
        _parameters_seen[changelist] = names - {"q"}
    return _parameters_seen[changelist]


def _autocomplete_urls(values: list[str]) -> list[str]:
    urls = []
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            base = "/admin/autocomplete/?app_label=%s&model_name=%s&field_name=%s" % (
                model._meta.app_label,
                model._meta.model_name,
                field_name,
            )
            urls += [base + "&term=" + value for value in values] + [base + "&page=" + HUGE]
    urls += ["/admin/autocomplete/?app_label=%00&model_name=x&field_name=y&term=a"]
    return urls


def _crawl(client: Client, *, ids: list[str], search: list[str], filters: list[str]) -> list[tuple[str, int]]:
    urls = []
    for route, name in _admin_patterns():
        if name and name.endswith("_changelist"):
            urls += [route + "?q=" + value for value in search]
            urls += [
                route + "?%s=%s" % (quote(parameter), value)
                for parameter in sorted(_filter_parameters(client, route))
                for value in filters
            ]
        elif name != "autocomplete" and ("<" in route or "(" in route):
            urls += _fill(route, ids)
    urls += _autocomplete_urls(search)
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((url[:160], response.status_code))
    return failures


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_superuser_gets_no_500_anywhere(demo):
    """The superuser reaches every page, so it gets the whole set of ids and values."""
    user = get_user_model().objects.get(username="admin")
    assert _crawl(_client(user), ids=BAD_IDS, search=SEARCH_VALUES, filters=FILTER_VALUES) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role_key",
    [roles.EDITOR, roles.CHIEF_EDITOR, roles.REVIEWER, roles.SIGNER, roles.CIRCULATION, roles.ADMINISTRATOR],
)
def test_each_role_gets_no_500_anywhere(demo, role_key):
    """Each role, on the pages it may open and those it may not, with the sharpest values."""
    client = _client(role_user(role_key, "crawl-" + role_key))
    assert _crawl(client, ids=FEW_BAD_IDS, search=FEW_SEARCH_VALUES, filters=FEW_FILTER_VALUES) == []


@pytest.mark.django_db
def test_anonymous_gets_no_500_anywhere(demo):
    """Before the login every admin URL is a redirect to the login page, never a 500."""
    client = Client(raise_request_exception=False)
    assert _crawl(client, ids=FEW_BAD_IDS, search=FEW_SEARCH_VALUES, filters=FEW_FILTER_VALUES) == []
