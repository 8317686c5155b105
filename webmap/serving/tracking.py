"""Links shared with tracking parameters (Zalo, Facebook, Google, newsletters) open the page they point to.

Pages answer an unknown parameter with a 400 that lists the valid ones (:func:`webmap.views.params.check_keys`), but a
link pasted into Zalo or Facebook comes back with ``zarsrc``, ``fbclid`` or ``utm_*`` added. Such a request is
answered by one redirect (301) to the same URL without them, so that the page, its cache entry and its permalink
stay one. The OGC API keeps its own behaviour for unknown parameters (the standard's), so ``/ogc`` is left alone.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, redirect, request

# exact names; and every name starting with one of TRACKING_PREFIXES
TRACKING_NAMES = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "igshid",  # Instagram
        "zarsrc",  # Zalo
        "_hsenc",  # HubSpot
        "_hsmi",
        "mc_cid",  # Mailchimp
        "mc_eid",
    }
)
TRACKING_PREFIXES = ("utm_",)
UNTOUCHED = ("/ogc",)  # paths whose parameters follow a standard of their own
# a tracking name is in the raw query string as itself (in any case) or percent-encoded
_MARKERS = tuple(name.encode("ascii") for name in (*TRACKING_NAMES, *TRACKING_PREFIXES))


def is_tracking(name: str) -> bool:
    """Whether query parameter ``name`` only tracks where a click came from (case as sent: ``UTM_SOURCE`` too)."""
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def may_track(query: bytes) -> bool:
    """Whether the raw query string ``query`` may hold a tracking parameter: it has one of the names in any case,
    or a percent-encoded or other non-ASCII character (then the parsed names are checked: "K", the Kelvin sign,
    lowercases to "k"). Most have none of these: 1 µs, not 20."""
    lowered = query.lower()
    return b"%" in query or not query.isascii() or any(marker in lowered for marker in _MARKERS)


def init_app(app: Flask) -> None:
    @app.before_request
    def drop_tracking():
        if request.method not in ("GET", "HEAD") or request.path.startswith(UNTOUCHED) or request.url_rule is None:
            return None  # only a page of this site is redirected: an unknown path gets its 404
        if not may_track(request.query_string):
            return None
        args = request.args
        if not any(is_tracking(name) for name in args):
            return None
        kept = [(name, value) for name, values in args.lists() if not is_tracking(name) for value in values]
        # Werkzeug's request.path has exactly one leading slash ("//host/x" arrives as "/host/x"): never another site
        return redirect(request.script_root + request.path + ("?" + urlencode(kept) if kept else ""), 301)
