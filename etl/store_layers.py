"""The layers of a build's GeoPackage: each boundary set with its latest values, the ward-level sets, the web
geometry, the values in long form, the catalogue, the sources, the merger, the aliases, coverage, the build's id and
the programme's tables, each with its description (what :func:`etl.build.build` writes with :func:`etl.store.write_store`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from etl.aggregate import Merger
from etl.catalogue import Catalogue
from etl.geometry import WARD_WEB_TOLERANCES, basemap_land, web_geometry
from etl.progress import progress_table
from etl.store import SCHEMA_VERSION, Layer
from etl.summaries import latest_columns

if TYPE_CHECKING:
    from etl.build import Inputs

SETS = {"2008": "provinces_2008", "2025": "provinces_2025"}
DESCRIPTIONS = {
    "2008": "63 provinces in force 2008-08-01 .. 2025-06-30 (Natural Earth; GSO codes); latest value of each indicator",
    "2025": "34 provincial units from 2025-07-01 (Resolution 202/2025/QH15; Decision 19/2025/QĐ-TTg codes); latest value of each indicator",
}


def store_layers(
    inputs: Inputs, layers: dict[str, gpd.GeoDataFrame], values: pd.DataFrame, cover: pd.DataFrame, manifest: dict
) -> list[Layer]:
    out = []
    unit_2025 = inputs.merger.group_of()
    for boundary, gdf in layers.items():
        base = gdf.drop(columns=["geometry"])
        if boundary == "2008":
            base["unit_2025"] = base["code"].map(unit_2025)
        else:
            base["old_codes"] = base["code"].map(lambda c: ",".join(inputs.merger.members[c]))
        wide = base.merge(latest_columns(values, boundary, list(gdf["code"])), on="code", how="left")
        layer = gpd.GeoDataFrame(wide, geometry=gdf.geometry.values, crs=gdf.crs)
        out.append(Layer(SETS[boundary], layer, DESCRIPTIONS[boundary]))
    if inputs.archipelagos is not None:
        out.append(Layer("archipelagos", inputs.archipelagos, "Quần đảo Hoàng Sa (Đà Nẵng) and Quần đảo Trường Sa (Khánh Hòa), Việt Nam"))
    if inputs.land is not None:
        out.append(
            Layer(
                "basemap_land",
                basemap_land(inputs.land),
                "Natural Earth 1:50m land around Việt Nam (world-atlas 2.0.2), the web map's background",
            )
        )
    for boundary, gdf in layers.items():
        out.append(Layer(f"web_{SETS[boundary]}", web_geometry(gdf), f"{SETS[boundary]} simplified as a coverage for web maps"))
    out += _subdivision_layers(inputs, values)
    out += [
        Layer(
            "indicator_values", values, "every indicator value, long form; one preferred row per (boundary, code, indicator, year, period)"
        ),
        Layer("indicators", _catalogue_table(inputs.catalogue), "indicator catalogue: issue, labels, unit, direction, aggregation rule"),
        Layer("sources", _sources_table(inputs), "sources of indicator values (D…) and of programme items (S…)"),
        Layer("merger_2025", _merger_table(inputs.merger), "2008 province -> 2025 unit (Resolution 202/2025/QH15)"),
        Layer(
            "unit_aliases",
            pd.DataFrame(inputs.aliases, columns=["boundary", "code", "alias"]),
            "other names of units (English forms, abbreviations such as TP.HCM): what the importer and the site search know",
        ),
        Layer("coverage", cover, "units with a value per boundary set, indicator and year"),
        Layer("progress", _progress(inputs, values), "every unit's progress toward each quantitative target (etl.progress)"),
        Layer(
            "build_info",
            pd.DataFrame(sorted({"build_id": manifest["build_id"], "schema_version": SCHEMA_VERSION}.items()), columns=["key", "value"]),
            "build id and schema version",
        ),
    ]
    out += [Layer(name, table, f"action programme: {name}") for name, table in inputs.program.tables.items()]
    return out


def _progress(inputs: Inputs, values: pd.DataFrame) -> pd.DataFrame:
    links = inputs.program.tables["program_target_links"]
    notes = {
        (k, i): (vi, en)
        for k, i, vi, en in links[["target_key", "indicator", "approximation_vi", "approximation_en"]].itertuples(index=False)
    }
    return progress_table(values, inputs.program.tables["program_targets"], inputs.catalogue, notes)


def _subdivision_layers(inputs: Inputs, values: pd.DataFrame) -> list[Layer]:
    """Per ward-level set: its units with their latest values, its web geometry at each level of detail
    (:data:`WARD_WEB_TOLERANCES`), and the ``boundary_sets`` table of every set."""
    out = []
    for set_id, gdf in inputs.subdivisions.items():
        title = inputs.sets[set_id].title_en
        wide = gdf.drop(columns="geometry").merge(latest_columns(values, set_id, list(gdf["code"])), on="code", how="left")
        out.append(
            Layer(set_id, gpd.GeoDataFrame(wide, geometry=gdf.geometry.values, crs=gdf.crs), f"{title}; latest value of each indicator")
        )
        for level, tolerance in WARD_WEB_TOLERANCES.items():
            web = web_geometry(gdf, tolerance).assign(parent_code=gdf["parent_code"].to_numpy())
            out.append(Layer(f"web_{set_id}_{level}", web, f"{set_id} simplified as a coverage ({tolerance}°) for web maps, {level}"))
    units = {**{b: len(g) for b, g in inputs.layers.items()}, **{b: len(g) for b, g in inputs.subdivisions.items()}}
    rows = [s.as_row(units.get(s.name, 0), s.notice.read_text(encoding="utf-8") if s.notice else "") for s in inputs.sets.values()]
    out.append(Layer("boundary_sets", pd.DataFrame(rows), "the boundary sets: level, parent set, validity, attribution, licence notice"))
    return out


def _catalogue_table(catalogue: Catalogue) -> pd.DataFrame:
    rows = [
        {
            "indicator": i.id,
            "issue": i.issue,
            "label_vi": i.label_vi,
            "label_en": i.label_en,
            "unit": i.unit,
            "higher_is_worse": {True: "yes", False: "no", None: ""}[i.higher_is_worse],
            "aggregation": i.aggregation,
            "directions": ";".join(i.directions),
            "targets": ";".join(i.targets),
            "min_value": "" if i.min_value is None else format(i.min_value, "f"),
            "max_value": "" if i.max_value is None else format(i.max_value, "f"),
            "weight": i.weight or "",
            "derive": str(i.derive) if i.derive else "",
            "role": i.role,
            "note_vi": i.note_vi,
            "note_en": i.note_en,
        }
        for i in catalogue.indicators.values()
    ]
    return pd.DataFrame(rows)


def _sources_table(inputs: Inputs) -> pd.DataFrame:
    program = inputs.program.tables["program_sources"]
    rows = [
        {"source_id": s, "kind": "indicator", "title": t, "url": u, "site": "", "used_for": ""}
        for s, (t, u) in sorted(inputs.values.sources.items())
    ]
    rows += [
        {"source_id": r.source_id, "kind": "programme", "title": r.title, "url": r.url, "site": r.site, "used_for": r.used_for}
        for r in program.itertuples()
    ]
    return pd.DataFrame(rows, columns=["source_id", "kind", "title", "url", "site", "used_for"])


def _merger_table(merger: Merger) -> pd.DataFrame:
    rows = [(old, merger.names[old], new) for new, olds in merger.members.items() for old in olds]
    return pd.DataFrame(sorted(rows), columns=["old_code", "old_name_vi", "new_code"])
