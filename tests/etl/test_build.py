"""The build: layers, tables, manifest, determinism, atomic replacement, web geometry."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pyogrio
import pytest
import shapely

from etl.build import build
from etl.problems import InputError
from etl.store import SCHEMA_VERSION
from tests.synthetic import folder_state, tiny_raw

EXPECTED_LAYERS = {
    "provinces_2008",
    "provinces_2025",
    "archipelagos",
    "basemap_land",
    "web_provinces_2008",
    "web_provinces_2025",
    "wards_2025",
    "web_wards_2025_coarse",
    "web_wards_2025_fine",
    "boundary_sets",
    "indicator_values",
    "indicators",
    "progress",
    "program_target_links",
    "sources",
    "merger_2025",
    "unit_aliases",
    "coverage",
    "build_info",
    "program_groups",
    "program_directions",
    "program_tasks",
    "program_sections",
    "program_targets",
    "program_sources",
    "indicator_links",
    "issue_directions",
}


def test_shipped_data_builds(shipped_build) -> None:
    out, manifest = shipped_build
    layers = {name for name, _ in pyogrio.list_layers(out / "current" / "urban.gpkg")}
    assert layers == EXPECTED_LAYERS
    assert manifest["counts"]["units_2008"] == 63 and manifest["counts"]["units_2025"] == 34
    assert manifest["counts"]["units_wards_2025"] == 3321
    assert manifest["boundary_checks"]["wards_2025"]["overlap_km2"] == pytest.approx(10.8, abs=0.1)
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert json.loads((out / "current" / "manifest.json").read_text())["build_id"] == manifest["build_id"]
    assert (out / "current").resolve() == (out / "builds" / manifest["build_id"]).resolve()


def test_layers_carry_codes_names_area_and_latest_values(shipped_build) -> None:
    layer = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="provinces_2025")
    assert sorted(layer.columns[:9]) == sorted(
        ["code", "name_vi", "name_en", "kind", "region", "region_vi", "note", "old_codes", "area_km2_published"]
    )
    # the outlines dissolved from the 3,321 wards (Trường Sa's outline holds 3,700 km² of sea), and the published areas
    assert layer["area_km2"].sum() == pytest.approx(333831.5, abs=1)
    assert layer["area_km2_published"].sum() == pytest.approx(331325.6, abs=1)
    hp = layer.set_index("code").loc["31"]
    assert hp["old_codes"] == "30,31" and hp["population"] == 4664124 and hp["population_year"] == 2024


def test_archipelagos_are_in_the_store(shipped_build) -> None:
    islands = pyogrio.read_dataframe(shipped_build[0] / "current" / "urban.gpkg", layer="archipelagos")
    assert set(islands["name_vi"]) == {"Quần đảo Hoàng Sa", "Quần đảo Trường Sa"}


@functools.cache
def _holes_and_overlaps(store: Path, layer: str) -> tuple[float, float]:
    """Area (degrees²) of the holes in the union of the outlines of ``layer``, and of the overlaps between them
    (once per layer: the full wards are the reference of two layers, and their union takes seconds)."""
    geoms = pyogrio.read_dataframe(store, layer=layer, columns=[]).geometry.values
    union = shapely.unary_union(geoms)
    holes = sum(shapely.Polygon(ring).area for part in shapely.get_parts(union) for ring in part.interiors)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = left < right
    return holes, float(shapely.area(shapely.intersection(geoms[left[pair]], geoms[right[pair]])).sum())


@pytest.mark.parametrize(
    ("web_layer", "full_layer", "ratio"),
    [
        ("web_provinces_2008", "provinces_2008", 0.6),
        ("web_provinces_2025", "provinces_2025", 0.12),
        ("web_wards_2025_coarse", "wards_2025", 0.35),
        ("web_wards_2025_fine", "wards_2025", 0.6),
    ],
)
def test_web_geometry_keeps_neighbours_together(shipped_build, web_layer: str, full_layer: str, ratio: float) -> None:
    """Simplified as a coverage: fewer vertices, and no gap or overlap between neighbours that the source does not have
    (the source's 2025 outlines have 0.07 km² of slivers between provinces, its wards 10.8 km² of overlaps)."""
    store = shipped_build[0] / "current" / "urban.gpkg"
    web = pyogrio.read_dataframe(store, layer=web_layer)
    full = pyogrio.read_dataframe(store, layer=full_layer)
    assert web.is_valid.all() and len(web) == len(full)
    assert shapely.get_num_coordinates(web.geometry.values).sum() <= ratio * shapely.get_num_coordinates(full.geometry.values).sum()
    web_holes, web_overlaps = _holes_and_overlaps(store, web_layer)
    full_holes, full_overlaps = _holes_and_overlaps(store, full_layer)
    assert web_holes <= full_holes * 1.1 + 2e-6  # 2e-6 degrees² is about 0.025 km²
    assert web_overlaps <= full_overlaps * 1.1 + 2e-6


def test_programme_and_links(shipped_build) -> None:
    store = shipped_build[0] / "current" / "urban.gpkg"
    targets = pyogrio.read_dataframe(store, layer="program_targets").set_index("target_id")
    green = targets.loc["148-nq-cp-2025-green-space-trees-per-urban-resident"]
    assert (green["target_min"], green["target_max"], green["qualifier"]) == (6.0, 8.0, "about")
    floor = targets.loc["148-nq-cp-2025-housing-floor-area-per-capita-in-urban-areas"]
    assert (floor["target_min"], floor["qualifier"]) == (28.0, "at_least")
    links = pyogrio.read_dataframe(store, layer="indicator_links")
    assert {"nq148-g5-flooding", "kl224-p0"} <= set(links[links.indicator == "storm_flood_damage_yagi_2024"]["item_id"])
    issues = pyogrio.read_dataframe(store, layer="issue_directions")
    assert set(issues["issue"]) >= {"flooding", "congestion", "housing", "green_space"}


def test_build_is_byte_identical(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    build(raw, tmp_path / "a")
    build(raw, tmp_path / "b")
    for name in ("urban.gpkg", "manifest.json"):
        assert (tmp_path / "a/current" / name).read_bytes() == (tmp_path / "b/current" / name).read_bytes()


def test_a_changed_input_changes_the_build_id(tmp_path: Path, tiny_build) -> None:
    raw = tiny_raw(tmp_path / "raw")
    path = raw / "indicators/values.csv"
    path.write_text(path.read_text().replace("6699.6", "6699.7"))
    assert build(raw, tmp_path / "out")["build_id"] != tiny_build[1]["build_id"]


def test_failed_build_leaves_previous_outputs_untouched(tmp_path: Path) -> None:
    raw = tiny_raw(tmp_path / "raw")
    out = tmp_path / "out"
    build(raw, out)
    before = folder_state(out)
    path = raw / "indicators/values.csv"
    path.write_text(path.read_text().replace("6699.6", "lots"))
    with pytest.raises(InputError):
        build(raw, out)
    assert folder_state(out) == before
