"""The same bytes before and after a change that must not change behaviour: pages, downloads, OGC, map sheets.

Run on the commit before a change, then on the change, against the same build folder:

    .venv/bin/python bench/same_bytes.py --data /tmp/same/build --record /tmp/same/before.json   # on the old commit
    .venv/bin/python bench/same_bytes.py --data /tmp/same/build --compare /tmp/same/before.json  # on the new one

``--data`` is built from ``geodata/raw`` when it has no build yet (build it with the old commit: the build id is a
hash of the ETL's code, so a build made by the new code names another id on every page). Each URL is fetched with
the Flask test client, anonymously and, for the write path's pages, signed in as an admin of a fresh SQLite
database (the CSRF tokens and the times of that session are masked). What is recorded per URL: status, content
type and the sha256 of the body. ``--compare`` prints every URL whose answer differs and exits 1 when any does.

``--layers OTHER`` compares, instead, the GeoPackage of the build in ``--data`` with that of the build directory
``OTHER`` (made by the other commit), layer by layer and row by row, the build id and code hash excepted (they name
the code, which changed): the ETL's output is the same data.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import re
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webmap import create_app  # noqa: E402
from webmap.cli import main as urbanmap  # noqa: E402

PASSWORD = "same bytes before and after"
LANGS = ("vi", "en")
# what differs between two sessions, never between two versions of the code
MASKS = [
    (re.compile(rb'(name="csrf_token"[^>]*value=")[^"]+'), rb"\1CSRF"),
    (re.compile(rb'(<meta name="csrf-token" content=")[^"]+'), rb"\1CSRF"),
    (re.compile(rb"\b([a-z_]+)_[0-9a-f]{32}\b"), rb"\1_ID"),  # Folium's element ids: random per process
    (re.compile(rb"\(D:\d{14}[^)]*\)"), rb"(D:TIME)"),  # a PDF's creation date
    (re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( ?UTC|Z|\+00:00)?"), rb"TIME"),
]


def public_urls(client) -> list[str]:
    """Pages, downloads, OGC documents, geometry and map sheets of the shipped build (about 250)."""
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok", health
    urls = ["/healthz", "/favicon.ico", "/vendor/leaflet/leaflet.js", "/static/urbanmap.js", "/static/urbanmap.css"]
    issues = ["flooding", "congestion", "housing", "green_space", "pollution", "context"]
    for lang in LANGS:
        urls += [f"/?lang={lang}", f"/program?lang={lang}", f"/search?q=can+tho&lang={lang}", f"/search?q=hcm&lang={lang}"]
        urls += [f"/?issue={i}&lang={lang}" for i in issues]
        urls += [
            f"/?boundary=2008&lang={lang}",
            f"/?boundary=2008&indicator=population&year=2011&method=jenks&classes=7&lang={lang}",
            f"/?indicator=population&year=2011&method=equal&classes=3&lang={lang}",
            f"/?boundary=2008&indicator=urban_population_share&year=2019&mode=gap&lang={lang}",
            f"/?boundary=2008&indicator=urban_population_share&method=headtail&lang={lang}",
            f"/?boundary=2008&indicator=urban_population_share&method=box&lang={lang}",
            f"/compare?codes=01,79,31,92&lang={lang}",
            f"/compare?codes=01,79&boundary=2008&lang={lang}",
            f"/compare?regions=dong_bang_song_hong,dong_nam_bo&lang={lang}",
            f"/compare?lang={lang}",
            f"/ward/31120?lang={lang}",
            f"/ward/00004?lang={lang}",
            f"/login?lang={lang}",
        ]
        for code in ["01", "31", "79", "92", "46", "04"]:
            urls.append(f"/province/{code}?lang={lang}")
        for code in ["01", "30", "79", "92", "56", "02"]:
            urls.append(f"/province/{code}?boundary=2008&lang={lang}")
        for fmt in ("svg",):
            urls += [
                f"/sheet.{fmt}?lang={lang}",
                f"/sheet.{fmt}?boundary=2008&indicator=population&year=2011&size=a3&orientation=landscape&lang={lang}",
                f"/province/31/sheet.{fmt}?lang={lang}",
                f"/compare/sheet.{fmt}?codes=01,79&lang={lang}",
            ]
    urls += ["/sheet.png", "/sheet.pdf", "/province/79/sheet.png?boundary=2008"]
    for boundary in ("2025", "2008"):
        urls += [f"/geometry/provinces_{boundary}.geojson"]
        for fmt in ("geojson", "csv"):
            urls += [
                f"/api/provinces.{fmt}?boundary={boundary}",
                f"/api/provinces.{fmt}?boundary={boundary}&issue=housing",
                f"/api/provinces.{fmt}?boundary={boundary}&codes=01,79&indicators=population",
            ]
        urls += [
            f"/api/provinces.csv?boundary={boundary}&long=1",
            f"/api/provinces.csv?boundary={boundary}&wkt=1&codes=01",
            f"/compare.csv?codes=01,79&boundary={boundary}",
            f"/compare.geojson?codes=01,79&boundary={boundary}",
        ]
    urls += [
        "/geometry/land.geojson",
        "/geometry/archipelagos.geojson",
        "/geometry/wards_2025/31/coarse.geojson",
        "/geometry/wards_2025/31/fine.geojson",
        "/api/provinces.geojson?boundary=wards_2025&province=31",
        "/api/provinces.csv?boundary=wards_2025&province=92",
        "/compare.csv?regions=dong_bang_song_hong,dong_nam_bo",
        "/ogc",
        "/ogc/conformance",
        "/ogc?f=html",
        "/ogc/collections?f=html",
        "/ogc/collections/provinces_2025/items?f=html",
        "/ogc/collections/provinces_2025/items/31?f=html",
        "/ogc/collections/wards_2025?f=html",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/wards_2025",
        "/ogc/collections/provinces_2008/items?limit=5&offset=10",
        "/ogc/collections/provinces_2025/items?bbox=105,20,107,22",
        "/ogc/collections/wards_2025/items?province=31&limit=20",
        "/ogc/collections/wards_2025/items/31120",
    ]
    # errors are behaviour too
    urls += [
        "/?foo=1",
        "/?indicator=nope",
        "/?lang=fr",
        "/province/99",
        "/nowhere",
        "/ogc/collections/nope",
        "/ogc/collections/provinces_2025/items?limit=0",
        "/api/provinces.xml",
        "/compare?codes=01",
        "/?utm_source=x&lang=en",
        "/submissions",
    ]
    # every province page, every indicator's national map (both sets, both languages)
    app = client.application
    built = app.extensions["urbanmap_build"].current()
    for boundary in ("2025", "2008"):
        codes = sorted(set(_units(built, boundary)))
        urls += [f"/province/{c}?boundary={boundary}" for c in codes]
    for boundary, indicator in _mapped(client):
        urls.append(f"/?boundary={boundary}&indicator={indicator}&lang=en")
    return list(dict.fromkeys(urls))


def _units(built, boundary: str) -> list[str]:
    units = built.geography.units if hasattr(built, "geography") else built.units
    return [str(c) for c in units[boundary]["code"]]


def _mapped(client) -> list[tuple[str, str]]:
    """(set, indicator) of every indicator the national map offers, read from the national map's indicator menu (the same
    on both commits: no internal API)."""
    pairs = []
    for boundary in ("2025", "2008"):
        body = client.get(f"/?boundary={boundary}&lang=en").get_data(as_text=True)
        for indicator in sorted(set(re.findall(r'<option value="([a-z0-9_]+)"', body))):
            if client.get(f"/?boundary={boundary}&indicator={indicator}&lang=en").status_code == 200:
                pairs.append((boundary, indicator))
    return pairs


def signed_in_urls() -> list[str]:
    return [
        "/submissions",
        "/submissions/new",
        "/submissions/new?lang=en",
        "/history",
        "/history?lang=en",
        "/program/edit",
        "/audit",
        "/audit.csv",
        "/?lang=en",
        "/province/31",
    ]


def fingerprint(response) -> dict:
    body = response.get_data()
    for pattern, replacement in MASKS:
        body = pattern.sub(replacement, body)
    return {"status": response.status_code, "type": response.content_type, "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}


def record(data: Path) -> dict[str, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{Path(tmp) / 'urbanmap.sqlite'}"
        stdin = mock.patch("sys.stdin", io.StringIO(PASSWORD + "\n"))
        with stdin, mock.patch.dict("os.environ", {"DATABASE_URL": database}), redirect_stdout(io.StringIO()):
            urbanmap(["users", "add", "admin1", "--role", "admin", "--data", str(data)])
        app = create_app({"DATA_DIR": data, "DATABASE_URL": database, "SECRET_KEY": "same-bytes" * 4, "TESTING": True})
        client = app.test_client()
        out = {url: fingerprint(client.get(url)) for url in public_urls(client)}
        signed = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', signed.get("/login").get_data(as_text=True)).group(1)
        answer = signed.post("/login", data={"username": "admin1", "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, answer.status_code
        out.update({f"signed-in {url}": fingerprint(signed.get(url)) for url in signed_in_urls()})
        return out


def compare_layers(one: Path, other: Path) -> int:
    """0 when every layer of the two builds' GeoPackages holds the same rows (build id and code hash excepted)."""
    import pyogrio

    from etl.store import open_build

    def rows(path: Path, layer: str) -> bytes:
        frame = pyogrio.read_dataframe(path, layer=layer)
        if layer == "build_info":
            frame = frame[~frame["key"].isin(["build_id"])]
        return frame.to_csv(index=False).encode() if "geometry" not in frame else frame.to_wkt().to_csv(index=False).encode()

    a, b = open_build(one), open_build(other)
    layers_a, layers_b = [n for n, _ in pyogrio.list_layers(a.store)], [n for n, _ in pyogrio.list_layers(b.store)]
    differ = sorted(set(layers_a) ^ set(layers_b)) + [n for n in layers_a if n in layers_b and rows(a.store, n) != rows(b.store, n)]
    for name in differ:
        print(f"layer differs: {name}")
    manifest = [
        k
        for k in sorted(set(a.manifest) | set(b.manifest))
        if k not in ("build_id", "code_version", "store") and a.manifest.get(k) != b.manifest.get(k)
    ]
    for key in manifest:
        print(f"manifest differs: {key}")
    print(
        f"{len(layers_a)} layers of build {a.build_id} and {b.build_id}: {len(differ)} differ; manifest keys other than the build id, code and GeoPackage checksum differ: {len(manifest)}"
    )
    return 1 if differ or manifest else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a build directory (built from geodata/raw when it has none)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--record", type=Path, help="write the fingerprints to this JSON file")
    what.add_argument("--compare", type=Path, help="compare with the fingerprints of this JSON file")
    what.add_argument("--layers", type=Path, help="compare the layers of this build directory's store with --data's")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if not (args.data / "current").exists():
        from etl.build import build

        build(ROOT / "geodata/raw", args.data)
    if args.layers:
        raise SystemExit(compare_layers(args.layers, args.data))
    found = record(args.data.resolve())
    if args.record:
        args.record.write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
        print(f"{len(found)} URLs recorded in {args.record}")
        return
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = [url for url in sorted(set(before) | set(found)) if before.get(url) != found.get(url)]
    for url in differ:
        print(f"differs: {url}\n  before {before.get(url)}\n  now    {found.get(url)}")
    statuses: dict[int, int] = {}
    for answer in found.values():
        statuses[answer["status"]] = statuses.get(answer["status"], 0) + 1
    print(
        f"{len(found)} URLs ({', '.join(f'{n} × {s}' for s, n in sorted(statuses.items()))}): {len(found) - len(differ)} the same bytes, {len(differ)} differ"
    )
    raise SystemExit(1 if differ else 0)


if __name__ == "__main__":
    main()
