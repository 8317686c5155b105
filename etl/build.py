"""The build: validate every input, join, aggregate, and write the store.

:func:`check` validates without writing; :func:`build` validates, then writes
``OUT/builds/<build_id>/`` (``urban.gpkg`` and ``manifest.json``) and points
``OUT/current`` at it (see :mod:`etl.store`). Nothing is written when any
input has an error, and ``current`` changes only once the build is complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl import __version__
from etl.aggregate import OUT_COLUMNS as AGGREGATED_COLUMNS
from etl.aggregate import Merger, carry_to_2025
from etl.boundary_sets import BoundarySet, prepare_subdivision, read_sets, replace_outlines, report_coverage, validate_subdivision
from etl.catalogue import Catalogue, read_catalogue
from etl.column_swaps import check_swaps
from etl.derive import derive, taken_keys
from etl.geometry import check_geometry, prepare_layer, validate_layer
from etl.indicators import Values, read_values
from etl.names import UnitName
from etl.national_totals import check_national
from etl.problems import WARNING, Report
from etl.program import FILES as PROGRAM_FILES
from etl.program import Edit, Program, read_program
from etl.published import Imported, import_published, mapping_files, national_tables, table_of
from etl.sources import RawLayout, read_boundary_file, read_merger_rows, read_resolver
from etl.store import DEFAULT_KEEP, SCHEMA_VERSION, build_id, code_hash, input_hashes, write_store
from etl.store_layers import store_layers
from etl.summaries import coverage, coverage_lines, indicator_digests
from etl.totals import Figures, check_totals, own_figures

log = logging.getLogger(__name__)
VALUE_COLUMNS = [c for c in AGGREGATED_COLUMNS if c != "origin"]  # indicator_values of the store: no row origins


@dataclass
class Inputs:
    """Everything read and validated from one raw directory."""

    layers: dict[str, gpd.GeoDataFrame]
    archipelagos: gpd.GeoDataFrame | None
    land: gpd.GeoDataFrame | None
    merger: Merger
    catalogue: Catalogue
    values: Values
    program: Program
    report: Report = field(default_factory=Report)
    published: Imported = field(default_factory=Imported)
    sets: dict[str, BoundarySet] = field(default_factory=dict)
    subdivisions: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)  # ward-level sets, area_km2 and region added
    coverage: dict[str, dict[str, float]] = field(default_factory=dict)  # per ward-level set: overlaps, gaps (km²) ...
    aliases: list[tuple[str, str, str]] = field(default_factory=list)  # (boundary, code, alias) of names/province_aliases.csv


def read_inputs(
    layout: RawLayout, repair: bool = False, submissions: Sequence[tuple[str, str]] = (), programme_edits: Sequence[Edit] = ()
) -> Inputs:
    """Read and validate every input; problems are collected in ``Inputs.report``.

    The crosswalk, the two boundary sets and the catalogue are the roots every other
    input is checked against: when one of them is unusable (missing, empty, without
    its key columns) its own error is reported and nothing else is read, instead of
    one follow-on error per value row. ``submissions``: (name, tidy CSV text) of approved submissions,
    oldest first, read after the raw inputs; each supersedes older values of the same key.
    ``programme_edits``: tasks added or changed and task statuses set in the browser, oldest first.
    """
    report = Report()
    outside = layout.links_outside()
    for link, target in outside:
        report.add(
            layout.display(link), None, None, f"is a symbolic link to {target}, outside the raw folder", "copy the file into the raw folder"
        )
    if outside:
        return _unchecked(layout, report)
    report.extend(layout.located.problems())  # damaged copies of files published by others; sources not installed
    log.info("reading boundaries, crosswalk and catalogue")
    crosswalk = read_merger_rows(layout, report)
    merger = Merger(
        members={
            new: tuple(sorted(r["old_code"] for _, r in crosswalk if r["new_code"] == new))
            for new in sorted({r["new_code"] for _, r in crosswalk})
        },
        names={r["old_code"]: r["old_name_vi"] for _, r in crosswalk},
    )
    catalogue = read_catalogue(layout, report)
    sets = read_sets(layout, report)
    expected = {"2008": set(merger.names), "2025": set(merger.members)}
    layers = {}
    for boundary, path in layout.boundary_files.items():
        name = layout.display(path)
        gdf = read_boundary_file(path, report, name)
        if gdf is not None and crosswalk:
            layers[boundary] = _with_outlines(
                validate_layer(gdf, name, expected[boundary], report, repair), sets.get(boundary), layout, report, repair
            )
    subdivisions = _read_subdivisions(layout, sets, layers, report, repair)
    archipelagos = read_boundary_file(layout.archipelagos, report, layout.display(layout.archipelagos))
    land = read_boundary_file(layout.basemap, report, layout.display(layout.basemap))
    unusable = not crosswalk or not catalogue.indicators or any(b not in layers or "code" not in layers[b] for b in layout.boundary_files)
    if unusable:
        return _unchecked(layout, report, layers, merger, catalogue)
    units = [UnitName(b, str(c), str(v), str(e)) for b, g in layers.items() for c, v, e in zip(g["code"], g["name_vi"], g["name_en"])]
    subunits = [UnitName(b, c, v, e) for b, g in subdivisions.items() for c, v, e in zip(g["code"], g["name_vi"], g["name_en"])]
    resolver = read_resolver(layout, report, units, crosswalk, subunits)
    log.info("checking the ward-level sets against their parents: overlaps, gaps, areas")
    covered = {}
    for set_id, gdf in subdivisions.items():
        parent = sets[set_id].parent or ""
        subdivisions[set_id] = prepare_subdivision(gdf, layers[parent])
        covered[set_id] = report_coverage(subdivisions[set_id], layers[parent], layout.display(sets[set_id].file), report)
    log.info("importing the published tables; reading indicator values and programme")
    published = import_published(layout, catalogue, resolver, report)
    values = read_values(layout, catalogue, resolver, report, published.rows.items(), submissions)
    program = read_program(layout, catalogue, report, programme_edits)
    return Inputs(
        layers, archipelagos, land, merger, catalogue, values, program, report, published, sets, subdivisions, covered, resolver.aliases
    )


def _with_outlines(
    gdf: gpd.GeoDataFrame, declared: BoundarySet | None, layout: RawLayout, report: Report, repair: bool
) -> gpd.GeoDataFrame:
    """``gdf`` with the outlines of the set's declared ``geometry_file`` (checked as any boundary geometry) and
    their published areas (``area_km2_published``, NaN where none)."""
    if declared is None or declared.geometry_file is None or "code" not in gdf:
        return gdf.assign(area_km2_published=float("nan"))
    name = layout.display(declared.geometry_file)
    outlines = read_boundary_file(declared.geometry_file, report, name)
    if outlines is None:
        return gdf.assign(area_km2_published=float("nan"))
    replaced = replace_outlines(gdf, outlines, declared, name, report)
    replaced["geometry"] = check_geometry(replaced, name, report, repair)
    return replaced


def _read_subdivisions(
    layout: RawLayout, sets: dict[str, BoundarySet], layers: dict[str, gpd.GeoDataFrame], report: Report, repair: bool
) -> dict[str, gpd.GeoDataFrame]:
    """The units of every ward-level set whose parent set was read, checked (:func:`validate_subdivision`)."""
    out = {}
    for declared in sets.values():
        if declared.level != "ward" or declared.parent not in layers or "code" not in layers[declared.parent]:
            continue
        name = layout.display(declared.file)
        gdf = read_boundary_file(declared.file, report, name)
        units = None if gdf is None else validate_subdivision(gdf, declared, set(layers[declared.parent]["code"]), name, report, repair)
        if units is not None:
            out[declared.name] = units
    return out


def _unchecked(
    layout: RawLayout,
    report: Report,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    merger: Merger | None = None,
    catalogue: Catalogue | None = None,
) -> Inputs:
    """Inputs with nothing more read, after a root-cause error: the report says so once."""
    report.add(layout.display(layout.root), None, None, "the other inputs were not checked", "fix the errors above first", WARNING)
    return Inputs(
        layers or {},
        None,
        None,
        merger or Merger({}, {}),
        catalogue or Catalogue({}, {}),
        Values(pd.DataFrame(), {}),
        Program({}),
        report,
    )


def input_files(layout: RawLayout) -> dict[str, Path]:
    """Every file the build reads (what the build id hashes) by its name among the inputs (its path below the raw
    folder, wherever a file published by others was found): fixed inputs, programme files, tidy value files,
    published tables with their mappings and the national tables these name. READMEs, scripts and anything else in the raw folder do not count."""
    files = [*layout.fixed_files(), *(layout.program(f) for f, _ in PROGRAM_FILES.values()), *layout.value_files()]
    for mapping in mapping_files(layout):
        files += [mapping, *filter(None, [table_of(layout, mapping)]), *national_tables(layout, mapping)]
    return {layout.name_of(f): f for f in sorted({f for f in files if f.is_file()})}


def check(raw: Path, repair: bool = False, sources: Path | None = None) -> Report:
    """Validate ``raw`` (files published by others looked for in ``sources`` first) without writing anything."""
    return read_inputs(RawLayout(raw, sources), repair).report


def build(
    raw: Path,
    out: Path,
    repair: bool = False,
    keep: int = DEFAULT_KEEP,
    submissions: Sequence[tuple[str, str]] = (),
    switch: bool = True,
    programme_edits: Sequence[Edit] = (),
    sources: Path | None = None,
) -> dict:
    """Validate ``raw`` (and the approved ``submissions``, see :func:`read_inputs`), write the store under
    ``out`` and, when ``switch``, make it current, keeping the last ``keep`` builds; return the manifest.
    Files published by others are looked for in ``sources`` first (:mod:`etl.external.locate`); a source found
    nowhere is left out, with a warning and its entry in the manifest's ``uninstalled``.
    Raises InputError on any error (``out`` unchanged)."""
    layout = RawLayout(raw, sources)
    inputs = read_inputs(layout, repair, submissions, programme_edits)
    inputs.report.raise_if_errors()
    for note in inputs.published.notes:
        log.info("%s", note)
    log.info("joining: areas, derived indicators, 63 -> 34 aggregation, latest values, web geometry")
    layers = {b: prepare_layer(g) for b, g in inputs.layers.items()}
    values = _all_values(inputs, layers["2008"])
    checked = _check_totals(inputs, values, layers["2008"])
    swaps = check_swaps(inputs.published.rows, inputs.report)
    for line in check_national(inputs.published.national, inputs.published.rows, inputs.catalogue, len(layers["2008"]), inputs.report):
        log.info("national table: %s", line)
    for problem in inputs.report.warnings:
        log.warning("%s", problem)
    for line in inputs.report.omitted(WARNING):
        log.warning("%s", line)
    log.info("published tables: %d whole-country and region totals checked, %d pair(s) of columns look swapped", checked, swaps)
    totals = {b: len(g) for b, g in [*layers.items(), *inputs.subdivisions.items()]}
    cover = coverage(values, totals)
    manifest = _manifest(layout, inputs, values, cover, submissions, programme_edits)
    log.info("writing the store (build %s)", manifest["build_id"])
    write_store(out, store_layers(inputs, layers, values, cover, manifest), manifest, keep, switch)
    return manifest


def _all_values(inputs: Inputs, layer_2008: gpd.GeoDataFrame) -> pd.DataFrame:
    """Reported values plus the 2025 rows carried or aggregated from set 2008.

    A value reported for a 2025 unit takes precedence over one derived for the
    same key: the derived row is kept with preferred = false.
    """
    reported = inputs.values.table.assign(derivation="reported", members="")
    reported = pd.concat([reported, derive(reported, inputs.catalogue, inputs.report)], ignore_index=True)
    area = dict(zip(layer_2008["code"], layer_2008["area_km2"]))
    derived = carry_to_2025(reported, inputs.merger, inputs.catalogue, area)
    key = ["boundary", "code", "indicator", "year", "period"]
    clash = taken_keys(derived, reported)
    derived.loc[clash, "preferred"] = False
    derived.loc[clash, "note"] = derived.loc[clash, "note"] + " (a value reported for the 2025 unit takes precedence)"
    values = pd.concat([reported, derived], ignore_index=True)
    scope = values["indicator"].map({i: c.note_en for i, c in inputs.catalogue.indicators.items() if c.note_en})
    values["note"] = values["note"].where(scope.isna(), values["note"] + ". Scope: " + scope)  # the catalogue's note on it
    values["value"] = values["value"].astype("float64")
    values["year"] = values["year"].astype("int64")
    values["preferred"] = values["preferred"].astype(bool)
    values["preliminary"] = values["preliminary"].astype(bool)
    return values.sort_values(key + ["preferred", "source_id"], ascending=[True] * 5 + [False, True]).reset_index(drop=True)[VALUE_COLUMNS]


def _check_totals(inputs: Inputs, values: pd.DataFrame, layer_2008: gpd.GeoDataFrame) -> int:
    """Warn where a published table's provinces depart from its own whole-country or region rows."""
    own: dict[str, Figures] = {name: own_figures(r for _, r in rows) for name, rows in inputs.published.rows.items()}
    preferred = values[values["preferred"] & (values["boundary"] == "2008") & values["value"].notna()]
    weights = {
        (i, c, int(y)): float(v) for i, c, y, v in zip(preferred["indicator"], preferred["code"], preferred["year"], preferred["value"])
    }
    area = dict(zip(layer_2008["code"], layer_2008["area_km2"]))
    return check_totals(inputs.published.totals, own, weights, area, inputs.catalogue, inputs.report, len(layer_2008))


def _manifest(
    layout: RawLayout,
    inputs: Inputs,
    values: pd.DataFrame,
    cover: pd.DataFrame,
    submissions: Sequence[tuple[str, str]],
    programme_edits: Sequence[Edit],
) -> dict:
    hashes = input_hashes(input_files(layout))
    hashes.update({name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in submissions})
    for edit in programme_edits:
        text = json.dumps(
            [edit.kind, edit.fields, edit.source_title, edit.source_url, edit.source_document, edit.by, edit.at], sort_keys=True
        )
        hashes[edit.input_name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    code = code_hash()
    counts = {
        "units_2008": len(inputs.layers["2008"]),
        "units_2025": len(inputs.layers["2025"]),
        **{f"units_{b}": len(g) for b, g in inputs.subdivisions.items()},
        "indicators": len(inputs.catalogue.indicators),
        "values": int(len(values)),
        "values_reported": int((values["derivation"] == "reported").sum()),
        "values_derived_2025": int((values["derivation"] != "reported").sum()),
        "values_incomplete": int((values["value_flag"] == "incomplete").sum()),
        "values_preliminary": int(values["preliminary"].sum()),
        "values_from_published_tables": sum(len(rows) for rows in inputs.published.rows.values()),
        "no_figure_cells_in_published_tables": sum(inputs.published.missing.values()),
        "sources": len(inputs.values.sources) + len(inputs.program.tables["program_sources"]),
        "program_tasks": len(inputs.program.tables["program_tasks"]),
        "program_targets": len(inputs.program.tables["program_targets"]),
        "warnings": inputs.report.count(WARNING),
    }
    return {
        "build_id": build_id(SCHEMA_VERSION, code, hashes),
        "schema_version": SCHEMA_VERSION,
        "code_version": {"package": __version__, "etl_sha256": code},
        "inputs": hashes,
        "counts": counts,
        "coverage": coverage_lines(cover),
        "indicator_digests": indicator_digests(values),
        "attribution": "Boundaries: "
        + "; ".join(f"{s.name}: {s.attribution}" for s in inputs.sets.values())
        + ". Indicator and programme sources: see the sources table.",
        "boundary_checks": inputs.coverage,
        "uninstalled": uninstalled_sources(layout, inputs.published, inputs.catalogue),
    }


def uninstalled_sources(layout: RawLayout, published: Imported, catalogue: Catalogue) -> list[dict]:
    """Each registered source found nowhere, with what it would have given: its tables, their indicators and those
    derived from them, the boundary sets whose file it holds and those whose outlines it holds (the pages say so
    where they would show them)."""
    out = []
    for state in layout.located.uninstalled():
        ident = state.source.id

        def declared_in(column: str, source_id: str = ident) -> list[dict[str, str]]:
            rows = layout.declared()
            held = [r for r in rows if r.get(column) and getattr(layout.uninstalled(f"boundaries/{r[column]}"), "id", None) == source_id]
            return [{"set": r["set"], "level": r.get("level", ""), "parent_set": r.get("parent_set", "")} for r in held]

        tables = {t: u.indicators for t, u in published.uninstalled.items() if u.source == ident}
        out.append(
            {
                "source": ident,
                "title_vi": state.source.title_vi,
                "title_en": state.source.title_en,
                "origin": state.source.origin,
                "files_missing": [f.name for f in state.missing],
                "tables": sorted(tables),
                "indicators": sorted(_with_derived({i for inds in tables.values() for i in inds}, catalogue)),
                "boundary_sets": declared_in("file"),
                "outlines": declared_in("geometry_file"),
            }
        )
    return out


def _with_derived(indicators: set[str], catalogue: Catalogue) -> set[str]:
    """``indicators`` and every indicator derived, at any remove, from one of them."""
    found = set(indicators)
    while True:
        more = {i.id for i in catalogue.indicators.values() if i.derive is not None and i.id not in found and set(i.derive.parts) & found}
        if not more:
            return found
        found |= more
