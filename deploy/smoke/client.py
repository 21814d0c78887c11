"""A small HTTP client for the smoke tests: one person's cookies, usable against any app server.

The app servers are reached directly (not through nginx) so a test knows which one answered; they
are told the request came over HTTPS, as nginx would, since the production settings insist on it.
"""

import http.client
import re
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class FormParser(HTMLParser):
    """Fields of one form (by id) and every submit button's name/value/formaction on the page."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields, self.buttons = form_id, False, [], []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if tag == "button" and a.get("formaction"):
            self.buttons.append(a)
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self.fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append([self._select, a.get("value", "")])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


class Person:
    def __init__(self, username: str, password: str = "zhiku-demo"):  # noqa: S107 - demo accounts
        self.username, self.password, self.cookies = username, password, {}

    def request(self, base: str, method: str, path: str, data: list | dict | None = None):
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": "https://%s%s" % (parts.netloc, path),
            "Accept-Language": "zh-hans",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers, text

    def get(self, base, path):
        return self.request(base, "GET", path)

    def login(self, base: str) -> None:
        status, _, page = self.get(base, "/admin/login/")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, _ = self.request(
            base, "POST", "/admin/login/?next=/admin/",
            {"username": self.username, "password": self.password, "csrfmiddlewaretoken": token, "next": "/admin/"},
        )
        assert status == 302 and headers["Location"] == "/admin/", (status, headers.get("Location"))

    def form(self, base: str, path: str, form_id: str) -> FormParser:
        status, _, page = self.get(base, path)
        assert status == 200, (status, path)
        parser = FormParser(form_id)
        parser.feed(page)
        parser.page = page
        return parser
