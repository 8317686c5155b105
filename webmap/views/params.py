"""Query-string parameters of the pages: parsed, validated, or rejected with 400/404 saying what is valid."""

from __future__ import annotations

import threading

from flask import request

from etl.catalogue import ISSUES
from etl.importer.numbers import parse_whole
from webmap.read.geography import BOUNDARIES
from webmap.read.store import Store
from webmap.render.choropleth import MapView
from webmap.render.classify import CLASS_RANGE, METHODS
from webmap.render.text import gettext as _
from webmap.render.text import how_to_install, not_installed
from webmap.serving.errors import bad_request, not_found

DEFAULT_ISSUE = "flooding"


def check_keys(allowed: set[str] | frozenset[str]) -> None:
    """400 for any query parameter the page does not know."""
    args = request.args
    unknown = sorted(k for k in args if k not in allowed and k != "lang")
    if unknown:
        raise bad_request(_("Unknown parameter: %(names)s.", names=", ".join(unknown)), sorted(allowed | {"lang"}))
    if "lang" in args and args["lang"] not in ("vi", "en"):
        raise bad_request(_("Unknown language."), ["vi", "en"])


def list_param(name: str) -> list[str]:
    """A comma-separated (or repeated) parameter as a list without repeats, in the order given.

    Its length is bounded by the query string's (:data:`MAX_QUERY_BYTES`); callers check every item
    against what exists, so a list never holds more items than there are.
    """
    return list(dict.fromkeys(v.strip() for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()))


def unknown_items(items: list[str], valid) -> str:
    """The items not in ``valid``, as text for an error message (the first ten, then how many more)."""
    unknown = [i for i in items if i not in valid]
    text = ", ".join(unknown[:10])
    return text + (f" (+{len(unknown) - 10})" if len(unknown) > 10 else "") if unknown else ""


def boundary_param() -> str:
    boundary = request.args.get("boundary", "2025")
    if boundary not in BOUNDARIES:
        raise bad_request(_("Unknown boundary set “%(value)s”.", value=boundary), list(BOUNDARIES))
    return boundary


MAX_DIGITS = 6  # no year, class count, limit or offset of this site is longer


def int_param(name: str, text: str) -> int:
    """A whole number parameter (ASCII digits, at most :data:`MAX_DIGITS`); 400 otherwise."""
    number = parse_whole(text, MAX_DIGITS)
    if number is None:
        raise bad_request(_("Parameter %(name)s must be a whole number, not “%(value)s”.", name=name, value=text[:20]))
    return number


MAP_KEYS = frozenset({"issue", "indicator", "year", "boundary", "method", "classes", "mode", "target", "from"})


MAP_VIEWS_KEPT = 4096  # query strings whose map view is remembered (per process; a few hundred KB)


def map_view(store: Store, extra: frozenset[str] = frozenset()) -> MapView:
    """The national map the query string asks for, which may also hold the ``extra`` keys of a page built on the
    map, such as a map sheet's paper (400/404 saying what is valid). A query string seen before with this build
    and these keys is not parsed again: the cached page it names is then sent at once."""
    key = (store.build_id, extra, request.query_string)
    found = _seen_views.get(key)
    if found is None:
        found = _parse_map_view(store, extra)
        with _seen_lock:
            if len(_seen_views) >= MAP_VIEWS_KEPT:
                del _seen_views[next(iter(_seen_views))]  # the oldest: any query string may churn this, nothing else
            _seen_views[key] = found
    return found


_seen_views: dict[tuple[str, frozenset[str], bytes], MapView] = {}
_seen_lock = threading.Lock()


def _parse_map_view(store: Store, extra: frozenset[str]) -> MapView:
    check_keys(MAP_KEYS | extra)
    boundary = boundary_param()
    args = request.args  # one lookup through the request proxy, not one per parameter
    issue = args.get("issue")
    if issue is not None and issue not in ISSUES:
        raise bad_request(_("Unknown issue “%(value)s”.", value=issue), list(ISSUES))
    mapped = store.values.mapped_indicators(boundary)
    catalogue = store.values.catalogue_rows()
    indicator = args.get("indicator")
    target = args.get("target")
    if indicator is None and target is not None:  # a target's progress map: the indicator that measures it best
        indicator = store.progress.best_measure(target, boundary)
        if indicator is None:
            raise not_found(_("No unit of this boundary set has a progress status toward “%(value)s”.", value=target), [])
    if indicator is None:
        indicator = default_indicator(store, issue or DEFAULT_ISSUE, boundary)
    elif indicator not in catalogue:
        raise not_found(_("Unknown indicator “%(value)s”.", value=indicator), mapped)
    elif indicator not in store.values.years_of(boundary):
        raise not_found(
            _without_source(store, [indicator]) or _("No unit of this boundary set has a value of “%(value)s”.", value=indicator), mapped
        )
    indicator_issue = catalogue[indicator]["issue"]
    if issue is not None and issue != indicator_issue:
        raise bad_request(
            _("Indicator “%(indicator)s” belongs to issue “%(issue)s”.", indicator=indicator, issue=indicator_issue),
            list(store.values.indicators(issue)["indicator"]),
        )
    years = store.values.years(indicator, boundary)
    year = years[-1] if "year" not in args else int_param("year", args["year"])
    if year not in years:
        raise not_found(_("No values of this indicator for %(year)s.", year=year), [str(y) for y in years])
    method = args.get("method", "quantiles")
    if method not in METHODS:
        raise bad_request(_("Unknown classification “%(value)s”.", value=method), list(METHODS))
    classes = int_param("classes", args.get("classes", "5"))
    if not CLASS_RANGE[0] <= classes <= CLASS_RANGE[1]:
        raise bad_request(
            _("The number of classes must be between %(low)s and %(high)s.", low=CLASS_RANGE[0], high=CLASS_RANGE[1]),
            [str(k) for k in range(CLASS_RANGE[0], CLASS_RANGE[1] + 1)],
        )
    since = int_param("from", args["from"]) if "from" in args else None
    mode = args.get("mode", "progress" if target is not None else "change" if since is not None else "value")
    if mode not in MODES:
        raise bad_request(_("Unknown map mode “%(value)s”.", value=mode), list(MODES))
    if mode == "gap" and not has_target(store, indicator):
        raise bad_request(_("This indicator has no national target to measure a gap against."), ["value"])
    return MapView(
        indicator_issue,
        indicator,
        year,
        boundary,
        method,
        classes,
        mode,
        _target(store, mode, target, indicator, boundary),
        _since(mode, since, year, years),
    )


MODES = ("value", "gap", "progress", "change")


def _since(mode: str, since: int | None, year: int, years: list[int]) -> int | None:
    """The first year of a change map (``from``): a year with values before ``year`` (400/404 otherwise)."""
    if mode != "change":
        if since is not None:
            raise bad_request(_("A first year (from) goes only with a change map (mode=change)."), ["change"])
        return None
    earlier = [str(y) for y in years if y < year]
    if since is None:
        if not earlier:
            raise bad_request(_("This indicator has no year before %(year)s to measure a change from.", year=year), ["value"])
        return int(earlier[0])
    if str(since) not in earlier:
        raise not_found(_("No values of this indicator for %(year)s before the map's year.", year=since), earlier)
    return since


def _target(store: Store, mode: str, target: str | None, indicator: str, boundary: str) -> str:
    """The target of a progress map: the one asked for, else the first the indicator measures (400/404 when none)."""
    if mode != "progress":
        if target is not None:
            raise bad_request(_("A target is shown only on a progress map (mode=progress)."), ["progress"])
        return ""
    measured = [t["target_id"] for t in store.progress.targets_of(indicator, boundary)]
    if not measured:
        raise bad_request(_("No target measured by this indicator has a unit with a progress status in this boundary set."), ["value"])
    if target is None:
        return measured[0]
    if target not in measured:
        raise not_found(_("Unknown target “%(value)s” for this indicator.", value=target), measured)
    return target


def default_indicator(store: Store, issue: str, boundary: str) -> str:
    """The indicator of ``issue`` whose latest year covers most units of ``boundary`` (computed once per issue and set)."""
    return store.memo.get(("default_indicator", issue, boundary), lambda: _best_covered(store, issue, boundary))


def _best_covered(store: Store, issue: str, boundary: str) -> str:
    """The best covered of the issue's indicators that measure it; a context or target indicator (catalogue
    role) only where none of those has values."""
    best, best_rank = None, (False, -1)
    catalogue = store.values.indicators(issue)
    roles = catalogue["role"] if "role" in catalogue.columns else [""] * len(catalogue)
    for indicator, role in zip(catalogue["indicator"], roles):
        years = store.values.years(indicator, boundary)
        if years:
            count = int(store.values.snapshot(indicator, boundary, years[-1])["value"].notna().sum())
            rank = (role == "", count)
            if rank > best_rank:
                best, best_rank = indicator, rank
    if best is None:
        message = _("No indicator of this issue has values for this boundary set.")
        missing = _without_source(store, list(store.values.indicators(issue)["indicator"]))
        raise not_found(f"{missing} {message}" if missing else message, list(store.values.mapped_indicators(boundary)))
    return best


def _without_source(store: Store, indicators: list[str]) -> str:
    """The sentences saying which sources the build lacks that give ``indicators`` ("" when none)."""
    return " ".join(f"{not_installed(m)} {how_to_install(m)}" for m in store.uninstalled.for_indicators(indicators))


def has_target(store: Store, indicator: str) -> bool:
    """Whether ``indicator`` has a national target with a numeric minimum (so a gap map makes sense); once per build."""
    return store.memo.get(("has_target", indicator), lambda: bool(store.programme.targets_for(indicator)["target_min"].notna().any()))
