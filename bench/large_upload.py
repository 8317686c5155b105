"""What one large upload costs the server: a tidy workbook of 150,001 rows (13 columns, about 8.6 MB, 115 MB
unzipped: the size of the tester's file), sent through the browser's form to a live server on loopback.

Run: ``.venv/bin/python bench/large_upload.py``. Prints figures; asserts nothing. Targets (issue 21): the file
checked in at most 20 s, the serving process's memory back within 50 MB of where it was.

Measures: the time of the POST (it queues a background job and answers at once), the time until the job's page
comes back to the preview, the serving process's resident memory before, at its highest while the job runs
(sampled every 0.1 s) and after, the preview's time and size, the approval of the second upload and the page
of the published submission (shown from its publication's record), and the check in this process without a server (read, check) for comparison.
The workbook is synthetic (population of every 2025 ward, 2025-2070), made here and deleted afterwards.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile import rss_mb  # noqa: E402
from bench.web import built_site, free_port, wait_until_up  # noqa: E402
from etl.indicators import TIDY_COLUMNS  # noqa: E402

ROWS = 150_000  # and the header
PASSWORD = "bench password of the large upload"
POLL = 1.0  # seconds between two loads of the job's page (the page itself reloads every 2 s)
marks: dict[str, float] = {}  # the server's RSS at moments of the upload
server_pid = [0]


def workbook(path: Path, build_dir: Path) -> None:
    """A tidy workbook of :data:`ROWS` ward populations (synthetic values), written in openpyxl's streaming mode."""
    import openpyxl
    import pyogrio

    from etl.store import open_build

    wards = pyogrio.read_dataframe(open_build(build_dir).store, layer="wards_2025", columns=["code", "name_vi"], read_geometry=False)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(TIDY_COLUMNS)
    n = 0
    for year in range(2025, 2071):
        for code, name in zip(wards["code"], wards["name_vi"]):
            row = {
                "boundary": "wards_2025",
                "province_code": code,
                "province_name_vi": name,
                "indicator": "population",
                "year": year,
                "value": 1000 + n % 5000,
                "unit": "persons",
                "preferred": "yes",
                "source_title": f"Báo cáo thống kê dân số các phường, xã năm {year}",
                "source_url": "https://thongke.gov.vn/bao-cao",
                "note": "số liệu sơ bộ (bench, tổng hợp)",
            }
            sheet.append([row.get(c, "") for c in TIDY_COLUMNS])
            n += 1
            if n == ROWS:
                book.save(path)
                return
    raise RuntimeError(f"only {n} rows: fewer wards than expected")


def sign_in(session: requests.Session, url: str) -> None:
    page = session.get(f"{url}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = session.post(f"{url}/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}, allow_redirects=False)
    response.raise_for_status()


def upload(session: requests.Session, url: str, path: Path) -> tuple[float, float, str]:
    """(seconds of the POST, seconds until the preview, where it ended)."""
    page = session.get(f"{url}/submissions/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    start = time.perf_counter()
    with path.open("rb") as f:
        response = session.post(
            f"{url}/submissions/new", data={"csrf_token": token}, files={"file": ("wards.xlsx", f)}, allow_redirects=False
        )
    posted = time.perf_counter() - start
    marks["after the POST"] = rss_mb(server_pid[0])
    location = response.headers.get("Location", "")
    while "/submissions/jobs/" in location:
        time.sleep(POLL)
        page_response = session.get(url + location if location.startswith("/") else location, allow_redirects=False)
        if page_response.status_code != 200:
            location = page_response.headers.get("Location", f"refused: {page_response.status_code}")
    return posted, time.perf_counter() - start, location


def published(session: requests.Session, url: str, where: str) -> None:
    """Approve the submission at ``where`` (a new build with its record), then load its page (shown from the record)."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url + where).text).group(1)
    start = time.perf_counter()
    response = session.post(f"{url}{where}/approve", data={"csrf_token": token}, allow_redirects=False)
    print(f"approved and published: {response.status_code} in {time.perf_counter() - start:.1f} s")
    for attempt in ("first", "again"):
        start = time.perf_counter()
        page = session.get(url + where)
        print(
            f"the published submission's page ({attempt}): {page.status_code} in {time.perf_counter() - start:.2f} s, "
            f"{len(page.content) / 1e6:.2f} MB; RSS {rss_mb(server_pid[0]):.0f} MB after"
        )


def in_process(path: Path, raw: Path) -> None:
    from webmap.intake.uploads import Upload, check_upload

    start = time.perf_counter()
    checked = check_upload(Upload("wards.xlsx", path.read_bytes()), raw, None)
    print(
        f"in this process, no server: {time.perf_counter() - start:.1f} s for {len(checked.values):,} values, {len(checked.report.errors)} errors"
    )


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw, data = built_site(Path(tmp))
        path = Path(tmp) / "wards.xlsx"
        workbook(path, data)
        print(f"workbook: {ROWS + 1:,} rows × {len(TIDY_COLUMNS)} columns, {path.stat().st_size / 1e6:.1f} MB")
        subprocess.run(
            [sys.executable, "-m", "webmap.cli", "users", "add", "bench", "--role", "publisher", "--data", str(data)],
            input=f"{PASSWORD}\n{PASSWORD}\n",
            text=True,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "webmap.cli", "-q", "serve", "--data", str(data), "--raw", str(raw), "--port", str(port)], cwd=ROOT
        )
        try:
            wait_until_up(url)
            server_pid[0] = server.pid
            session = requests.Session()
            sign_in(session, url)
            session.get(f"{url}/submissions/new")
            before = rss_mb(server.pid)
            highest = [before]
            running = threading.Event()
            running.set()

            def sample() -> None:
                while running.is_set():
                    highest.append(rss_mb(server.pid))
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            posted, done, where = upload(session, url, path)
            running.clear()
            sampler.join()
            time.sleep(1)
            after = rss_mb(server.pid)
            print(f"POST answered in {posted:.2f} s; checked and back at the preview ({where}) in {done:.1f} s")
            print(f"serving process RSS: {before:.0f} MB before, {max(highest):.0f} MB at most during the check, {after:.0f} MB after")
            print("  " + "; ".join(f"{k}: {v:.0f} MB" for k, v in marks.items()))
            print("  samples:", " ".join(f"{v:.0f}" for v in highest[::5]))
            start = time.perf_counter()
            preview = session.get(url + where)
            print(
                f"the preview {where}: {preview.status_code} in {time.perf_counter() - start:.1f} s, {len(preview.content) / 1e6:.1f} MB; "
                f"RSS {rss_mb(server.pid):.0f} MB after"
            )
            posted, done, where = upload(session, url, path)
            time.sleep(1)
            print(f"the same file again: checked in {done:.1f} s ({where}); RSS {rss_mb(server.pid):.0f} MB after")
            published(session, url, where)
        finally:
            server.terminate()
            server.wait(10)
        in_process(path, raw)


if __name__ == "__main__":
    main()
