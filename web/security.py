"""The session cookie and the headers every answer carries (refs #2, #13).

`persistent_secret` gives every server process of one data directory the same SECRET_KEY;
`SessionInterface` marks the cookie Secure behind HTTPS; `add_headers` sets Vary, nosniff,
the referrer policy and the Content-Security-Policy.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface


def persistent_secret(app: Flask) -> str:
    """The secret of this data directory: made once (mode 0600) and read by every process,
    so that sessions and CSRF tokens made by one gunicorn worker are valid in the others
    (refs #13: with a random key per process, 19 of 20 admin logins failed)."""
    path = Path(app.config["DATA_DIR"]) / "secret_key"
    for _ in range(2):
        try:
            secret = path.read_text().strip()
            if len(secret) >= 32:
                return secret
        except OSError:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:     # another worker is writing it: read it again
            time.sleep(0.05)
            continue
        except OSError as exc:      # a read-only data directory without a key
            app.logger.warning("No SECRET_KEY and %s cannot be written (%s): this process "
                               "uses a key of its own; admin logins need one server process.",
                               path, exc)
            return secrets.token_hex(32)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
    return path.read_text().strip() or secrets.token_hex(32)


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies marked Secure whenever the request came over HTTPS, also through a
    proxy that says so (X-Forwarded-Proto), unless SESSION_COOKIE_SECURE is set anyway."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return bool(request) and (request.is_secure or request.headers.get(
            "X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https")


def add_headers(response: Response) -> Response:
    # refs #2: the same URL answers a page or an htmx partial; caches must keep them apart
    response.vary.add("HX-Request")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    return response
