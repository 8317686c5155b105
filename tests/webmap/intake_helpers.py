"""Helpers of the intake tests: a known password, the CSRF token of a page, signing in."""

from __future__ import annotations

import re

PASSWORD = "correct horse battery staple"


def csrf_token(client, path: str = "/login") -> str:
    body = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    return client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_token(client)})
