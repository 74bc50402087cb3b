"""Every page carries the security headers; uploaded files keep their stricter policy."""

import pytest

from quizroom.web.security import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/healthz", "/j/000000"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP on a laptop


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://quiz.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_signed_in_pages_too(logged_in):
    for path in ("/decks", "/decks/new", "/plans", "/plans/new", "/results"):
        response = logged_in.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
