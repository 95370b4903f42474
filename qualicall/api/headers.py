"""Security headers on every answer of the service, API and coach pages alike.

The Content-Security-Policy admits only this origin's scripts, styles, images and media (the pages
have no inline script; `style` attributes are allowed for the bar widths of the trends page), no
plugin, no framing by any site (with X-Frame-Options for older browsers), and forms posting back to
this origin only; `nosniff` keeps browsers from running a download as another type.
"""

from __future__ import annotations

import base64
import hashlib
import re


def content_security_policy(style_sources: str = "'self'") -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style_sources}",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


CONTENT_SECURITY_POLICY = content_security_policy()
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def policy_for_inline_styles(page: str) -> str:
    """The policy for a self-contained page (the HTML report: its CSS and its charts' SVG styles inline), admitting
    exactly its own style elements by their hashes and nothing else inline."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'" for css in _STYLE_ELEMENT.findall(page)})
    return content_security_policy(" ".join(["'self'", *hashes]))

HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


# What answers transcripts, scores and recordings is kept by no cache, a shared computer's browser's included (the API's
# JSON carried no Cache-Control: a security review). The static files and the documentation's assets say their own.
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """ASGI middleware: adds HEADERS to every HTTP answer that does not set them itself, and `Cache-Control: no-store`
    to one that sets no Cache-Control."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [h for h in HEADERS if h[0] not in present]
                if b"cache-control" not in present:
                    added.append(_NO_STORE)
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
