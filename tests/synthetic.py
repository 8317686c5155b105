"""Synthetic raw directories for tests and benchmarks (never shipped as data).

:func:`write_raw` lays out a complete raw directory from boundary layers, a
crosswalk and tidy value rows; catalogue, units, programme and aggregate labels
are copied from the shipped ``geodata/raw``. :func:`tiny_raw` makes the small
set the tests build: six 2008 provinces in two merged groups plus Hà Nội.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from etl.external.registry import REGISTRY_NAME
from etl.indicators import TIDY_COLUMNS
from etl.sources import RawLayout

SHIPPED = Path(__file__).resolve().parents[1] / "geodata" / "raw"
TIDY = TIDY_COLUMNS
SOURCE = {"source_title": "Synthetic test source", "source_url": "https://example.invalid/synthetic"}

# code, name_vi, name_en, kind, region, box (minx, miny), 2025 unit
PROVINCES_2008 = [
    ("01", "Hà Nội", "Ha Noi", "thanh_pho", "dong_bang_song_hong", (105.0, 21.0), "01"),
    ("30", "Hải Dương", "Hai Duong", "tinh", "dong_bang_song_hong", (105.5, 21.0), "31"),
    ("31", "Hải Phòng", "Hai Phong", "thanh_pho", "dong_bang_song_hong", (106.0, 21.0), "31"),
    ("92", "Cần Thơ", "Can Tho", "thanh_pho", "dong_bang_song_cuu_long", (105.0, 10.0), "92"),
    ("93", "Hậu Giang", "Hau Giang", "tinh", "dong_bang_song_cuu_long", (105.5, 10.0), "92"),
    ("94", "Sóc Trăng", "Soc Trang", "tinh", "dong_bang_song_cuu_long", (106.0, 10.0), "92"),
]
NAMES_2025 = {"01": ("Hà Nội", "Ha Noi"), "31": ("Hải Phòng", "Hai Phong"), "92": ("Cần Thơ", "Can Tho")}


def write_csv(path: Path, columns: list[str], rows: list[dict], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def value(
    boundary: str,
    code: str,
    indicator: str,
    year: int,
    number: str,
    unit: str,
    flag: str = "",
    name: str = "",
    period: str = "",
    preferred: str = "yes",
) -> dict:
    """One tidy row with the synthetic source."""
    return {
        "boundary": boundary,
        "province_code": code,
        "province_name_vi": name,
        "indicator": indicator,
        "year": str(year),
        "period": period,
        "value": number,
        "unit": unit,
        "value_flag": flag,
        "preferred": preferred,
        "note": "",
        **SOURCE,
    }


def write_raw(
    root: Path,
    layer_2008: gpd.GeoDataFrame,
    layer_2025: gpd.GeoDataFrame,
    crosswalk: list[dict],
    values: list[dict],
    aliases: list[dict] | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> Path:
    """A complete raw directory at ``root`` (with ``wards`` as set wards_2025, parent 2025, when given); returns ``root``."""
    for folder in ("catalogue", "program", "basemap"):
        shutil.copytree(SHIPPED / folder, root / folder, dirs_exist_ok=True)
    (root / "names").mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED / "names/aggregate_labels.csv", root / "names/aggregate_labels.csv")
    write_csv(root / "names/province_aliases.csv", ["boundary", "code", "alias", "kind"], aliases or [])
    (root / "boundaries").mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(layer_2008, root / "boundaries/vn_provinces_63.geojson", driver="GeoJSON")
    pyogrio.write_dataframe(layer_2025, root / "boundaries/vn_provinces_34.geojson", driver="GeoJSON")
    islands = gpd.GeoDataFrame(
        {
            "name_vi": ["Quần đảo Hoàng Sa", "Quần đảo Trường Sa"],
            "name_en": ["Paracel Islands", "Spratly Islands"],
            "attached_code": ["48", "56"],
            "label_lon": [112.0, 114.5],
            "label_lat": [16.5, 10.0],
        },
        geometry=[shapely.box(111.9, 16.4, 112.1, 16.6), shapely.box(114.4, 9.9, 114.6, 10.1)],
        crs=4326,
    )
    pyogrio.write_dataframe(islands, root / "boundaries/vn_archipelagos.geojson", driver="GeoJSON")
    write_csv(
        root / "boundaries/province_merger_2025.csv", ["old_code", "old_name_vi", "new_code", "new_name_vi", "new_name_en"], crosswalk
    )
    write_csv(root / "indicators/values.csv", TIDY, values)
    declared = [SET_2008, SET_2025]
    if wards is not None:
        pyogrio.write_dataframe(wards, root / "boundaries/wards.gpkg", layer="wards", driver="GPKG")
        declared.append(SET_WARDS)
    write_csv(root / "boundaries/boundary_sets.csv", list(SET_2008), declared)
    return root


SET_2008 = {
    "set": "2008",
    "level": "province",
    "parent_set": "",
    "file": "vn_provinces_63.geojson",
    "geometry_file": "",
    "parent_column": "",
    "published_area_column": "",
    "valid_from": "2008-08-01",
    "valid_to": "2025-06-30",
    "title_vi": "63 tỉnh (thử)",
    "title_en": "63 provinces (test)",
    "attribution": "synthetic",
    "notice": "",
}
SET_2025 = {**SET_2008, "set": "2025", "file": "vn_provinces_34.geojson", "valid_from": "2025-07-01", "valid_to": ""}
SET_WARDS = {
    **SET_2025,
    "set": "wards_2025",
    "level": "ward",
    "parent_set": "2025",
    "file": "wards.gpkg",
    "parent_column": "province_code",
    "published_area_column": "area_km2_published",
    "title_vi": "Xã, phường (thử)",
    "title_en": "Wards (test)",
}


def tiny_wards() -> gpd.GeoDataFrame:
    """Two wards per 2008 province (its west and east halves), in the 2025 unit the province joined: 12 wards,
    codes 00001..00012; ward 00001 (Phường Ba Đình, Hà Nội) has a published area about 4x its outline's."""
    rows, geoms = [], []
    for number, (_, name, *_, (x, y), unit) in enumerate(PROVINCES_2008):
        for half, (kind, prefix) in enumerate((("phuong", "Phường"), ("xa", "Xã"))):
            ward = f"{2 * number + half + 1:05d}"
            short = "Ba Đình" if ward == "00001" else f"{name} {half + 1}"
            rows.append(
                {
                    "code": ward,
                    "name_vi": short,
                    "name_en": short,
                    "full_name_vi": f"{prefix} {short}",
                    "full_name_en": f"{short} Ward",
                    "kind": kind,
                    "province_code": unit,
                    "area_km2_published": None,
                }
            )
            geoms.append(shapely.box(x + 0.25 * half, y, x + 0.25 * (half + 1), y + 0.5))
    wards = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    wards.loc[0, "area_km2_published"] = 6000.0  # the outline (0.25° x 0.5° at 21° N) measures about 1,440 km²
    return wards


def tiny_layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[dict]]:
    """The six-province 2008 layer, its three-unit 2025 layer and the crosswalk."""
    rows = [
        {"code": c, "name_vi": v, "name_en": e, "kind": k, "region": r, "region_vi": "", "note": None}
        for c, v, e, k, r, _, _ in PROVINCES_2008
    ]
    geoms = [shapely.box(x, y, x + 0.5, y + 0.5) for *_, (x, y), _ in PROVINCES_2008]
    layer_2008 = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    layer_2008["unit"] = [p[6] for p in PROVINCES_2008]
    dissolved = layer_2008.dissolve("unit", as_index=False)
    layer_2025 = gpd.GeoDataFrame(
        [
            {
                "code": u,
                "name_vi": NAMES_2025[u][0],
                "name_en": NAMES_2025[u][1],
                "kind": "thanh_pho",
                "region": r,
                "region_vi": "",
                "note": None,
                "old_codes": ",".join(p[0] for p in PROVINCES_2008 if p[6] == u),
            }
            for u, r in zip(dissolved["unit"], dissolved["region"])
        ],
        geometry=dissolved.geometry.values,
        crs=4326,
    )
    crosswalk = [
        {"old_code": c, "old_name_vi": v, "new_code": u, "new_name_vi": NAMES_2025[u][0], "new_name_en": NAMES_2025[u][1]}
        for c, v, *_, u in PROVINCES_2008
    ]
    return layer_2008.drop(columns="unit"), layer_2025, crosswalk


def tiny_values() -> list[dict]:
    """Values with known aggregates (2011 population from the GSO-style table, Yagi damage with a bound)."""
    pop = {"01": "6699.6", "30": "1718.9", "31": "1878.5", "92": "1200.3", "93": "769.2", "94": "1303.7"}
    rows = [value("2008", c, "population", 2011, v, "thousand persons") for c, v in pop.items()]
    rows += [
        value("2008", "01", "storm_flood_damage_yagi_2024", 2024, "2287", "billion VND", "lower_bound"),
        value("2008", "30", "storm_flood_damage_yagi_2024", 2024, "7498", "billion VND"),
        value("2008", "31", "storm_flood_damage_yagi_2024", 2024, "13062.7", "billion VND"),
        value("2008", "92", "urban_population_share", 2019, "69.7", "%"),
        value("2008", "93", "urban_population_share", 2019, "25.5", "%"),
        value("2008", "30", "urban_population_share", 2019, "25.1", "%"),
        value("2008", "31", "urban_population_share", 2019, "46.1", "%"),
        value("2025", "31", "population", 2024, "4664124", "persons", name="Hải Phòng"),
        value("2008", "31", "average_traffic_speed_centre", 2025, "20", "km/h"),
        value("2008", "01", "average_traffic_speed_centre", 2025, "19", "km/h"),
    ]
    return rows


def tiny_raw(root: Path) -> Path:
    layer_2008, layer_2025, crosswalk = tiny_layers()
    aliases = [
        {"boundary": "2008", "code": "31", "alias": "Haiphong", "kind": "english"},
        {"boundary": "2008", "code": "01", "alias": "VN-HN", "kind": "iso3166_2"},
    ]
    return write_raw(root, layer_2008, layer_2025, crosswalk, tiny_values(), aliases, tiny_wards())


SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '"><img src=x onerror="window.__pwned = 2">'


def hostile_raw(root: Path) -> Path:
    """The tiny raw directory with markup in unit names, a source title and programme text."""
    raw = tiny_raw(root)
    for name in ("vn_provinces_63.geojson", "vn_provinces_34.geojson"):
        path = raw / "boundaries" / name
        layer = pyogrio.read_dataframe(path)
        layer["name_en"] = layer["name_en"] + SCRIPT
        layer["region_vi"] = IMG
        pyogrio.write_dataframe(layer, path, driver="GeoJSON")
    wards = tiny_wards()
    wards["full_name_vi"] = wards["full_name_vi"] + SCRIPT
    wards["full_name_en"] = wards["full_name_en"] + IMG
    pyogrio.write_dataframe(wards, raw / "boundaries/wards.gpkg", layer="wards", driver="GPKG")
    values = raw / "indicators/values.csv"
    rows = list(csv.DictReader(values.open(encoding="utf-8")))
    for row in rows:
        row["source_title"] = "Nguồn " + IMG
    with values.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    directions = raw / "program/directions.csv"
    text = directions.read_text(encoding="utf-8")
    directions.write_text(
        text.replace(
            "Lưu ý giải quyết các yêu cầu thực tiễn bức xúc như tắc nghẽn giao thông",
            "Lưu ý giải quyết " + SCRIPT.replace('"', "'") + " tắc nghẽn giao thông",
        ),
        encoding="utf-8",
    )
    return raw


def folder_state(folder: Path) -> dict[str, bytes | str]:
    """Every file's bytes and every symbolic link's target under ``folder``, by relative path (for "nothing changed" checks)."""
    state: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            state[name] = "-> " + str(path.readlink())
        elif path.is_file():
            state[name] = path.read_bytes()
    return state


def shipped_file(relative: str) -> Path:
    """Where the build reads ``relative`` (below ``geodata/raw``): a file published by others where it was found
    and verified (``../shared/data`` beside the checkout, in development and CI), else the repository's own file."""
    return RawLayout(SHIPPED).file(relative)


def self_contained_raw(dest: Path) -> Path:
    """A copy of the shipped raw folder at ``dest`` holding, in their registered places, the files published by
    others, and no registry: the layout before those files left the repository (the build reads it all from ``dest``)."""
    layout = RawLayout(SHIPPED)
    shutil.copytree(SHIPPED, dest)
    for target, found in layout.located.files.items():
        shutil.copyfile(found, dest / target)
    (dest / REGISTRY_NAME).unlink()
    return dest
