"""A restore returns the whole site to a build and stays restored: what was published after it is reverted (by that
restore, who, when, why), stays out of every later build and can be submitted again; a publication's record is kept
as published. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from dataclasses import astuple

from sqlalchemy import select

from tests.synthetic import value
from tests.webmap.intake_helpers import csrf_token
from tests.webmap.test_submissions import HP_2024, _approve, _build_of, _client, _population_2024, _restore, _submit, _tidy, site  # noqa: F401
from webmap.intake import changes
from webmap.intake.db import AuditEvent, Publication, Submission

HP_2025 = value("2025", "31", "population", 2025, "4600", "thousand persons", name="Hải Phòng")
HP_2026 = value("2025", "31", "population", 2026, "4500", "thousand persons", name="Hải Phòng")


def _statuses(app) -> dict[int, str]:
    with app.extensions["urbanmap_db"].session() as s:
        return {sub.id: sub.status for sub in s.scalars(select(Submission))}


def _population(client, year: int) -> str:
    body = client.get("/api/provinces.csv?codes=31&indicators=population&long=1").get_data(as_text=True)
    return next((line for line in body.splitlines() if f",{year}," in line and ",True," in line), "")


def _resubmit(client, ident: int):
    return client.post(f"/submissions/{ident}/resubmit", data={"csrf_token": csrf_token(client, f"/submissions/{ident}")})


def test_restore_then_approve_keeps_the_reverted_out_until_they_are_submitted_again(site) -> None:  # noqa: F811
    app, _, _ = site
    contributor, publisher = _client(app, "hp-doc"), _client(app, "boss")
    first = _build_of(publisher)
    assert _submit(contributor, _tidy(HP_2024)).status_code == 302  # A
    assert _approve(publisher, 1).status_code == 302
    assert _submit(contributor, _tidy(HP_2025)).status_code == 302  # B
    assert _approve(publisher, 2, "Đã đối chiếu với niên giám").status_code == 302
    build_b = _build_of(publisher)
    assert _restore(publisher, first, "Số liệu chưa được Sở xác nhận").status_code == 302
    assert _statuses(app) == {1: "reverted", 2: "reverted"}
    assert _submit(contributor, _tidy(HP_2026)).status_code == 302  # D, unrelated
    assert _approve(publisher, 3).status_code == 302
    assert "4664124.0" in _population_2024(publisher) and _population(publisher, 2025) == ""  # A and B stay out
    assert "4500000.0" in _population(publisher, 2026)

    a_page = contributor.get("/submissions/1?lang=en").get_data(as_text=True)
    assert "reverted by a restore" in a_page and f"who restored build {first}" in a_page and "by boss" in a_page
    assert "Số liệu chưa được Sở xác nhận" in a_page and "Submit again" in a_page
    assert "0 new, 1 changed, 0 unchanged" in a_page and "4,664,124" in a_page and "4,700,000" in a_page  # the record
    history = " ".join(re.sub(r"<[^>]+>", " ", publisher.get("/history?lang=en").get_data(as_text=True)).split())
    assert "reverted submission 1 submission 2" in history and "Reason: Số liệu chưa được Sở xác nhận" in history
    assert "Comment: Đã đối chiếu với niên giám" in history
    with app.extensions["urbanmap_db"].session() as s:
        restore = s.scalar(select(Publication).where(Publication.action == "restore"))
        assert restore.comment == "Số liệu chưa được Sở xác nhận" and json.loads(restore.summary)["revert_submissions"] == [1, 2]
        assert s.get(Submission, 1).reverted_in == restore.id and s.get(Submission, 1).reverted_by is not None
        audit = [(e.action, e.detail) for e in s.scalars(select(AuditEvent))]
    assert ("build_restored", "reason: Số liệu chưa được Sở xác nhận; revert submissions: 1, 2") in audit
    assert any(a == "submission_approved" and d.endswith("; comment: Đã đối chiếu với niên giám") for a, d in audit)

    assert _resubmit(publisher, 1).status_code == 403  # its submitter submits it again
    assert _resubmit(contributor, 3).status_code == 409  # D is not reverted
    response = _resubmit(contributor, 1)
    assert response.status_code == 302 and response.headers["Location"].endswith("/submissions/4")
    assert "submitted again after submission 1 was reverted" in contributor.get("/submissions/4?lang=en").get_data(as_text=True)
    assert _approve(publisher, 4).status_code == 302
    assert "4700000.0" in _population_2024(publisher) and "4500000.0" in _population(publisher, 2026)

    # restoring build B again returns the site to it: A and B published again, D and A's resubmission reverted
    assert _restore(publisher, build_b, "Sở đã xác nhận").status_code == 302
    assert _statuses(app) == {1: "approved", 2: "approved", 3: "reverted", 4: "reverted"}
    assert _submit(contributor, _tidy(value("2025", "31", "population", 2027, "4400", "thousand persons"))).status_code == 302
    assert _approve(publisher, 5).status_code == 302
    assert "4600000.0" in _population(publisher, 2025) and _population(publisher, 2026) == ""


def test_a_publication_keeps_its_record_with_the_values_derived_from_it(site) -> None:  # noqa: F811
    app, _, _ = site
    contributor, publisher = _client(app, "hp-doc"), _client(app, "boss")
    share = value("2008", "31", "urban_population_share", 2019, "50.125", "%")
    assert _submit(contributor, _tidy(share)).status_code == 302
    assert _approve(publisher, 1).status_code == 302
    page = publisher.get("/submissions/1?lang=en").get_data(as_text=True)
    assert "the record kept of that publication" in page and "0 new, 1 changed, 0 unchanged" in page  # not "1 unchanged"
    assert "46.1" in page and "50.125" in page
    assert "Also changed in that build" in page  # Hải Phòng of 2025, derived from the 2008 units
    with app.extensions["urbanmap_db"].session() as s:
        record = changes.Record.from_json(s.scalar(select(Publication.record)))
    assert record is not None
    assert changes.listed(record.submitted) == [changes.Change("2008", "31", "urban_population_share", 2019, "", 46.1, 50.125, "changed")]
    assert any(astuple(c)[:3] == ("2025", "31", "urban_population_share") and c.status == "changed" for c in changes.listed(record.other))


def test_a_restore_needs_a_reason_and_a_kept_build(site) -> None:  # noqa: F811
    app, _, _ = site
    contributor, publisher = _client(app, "hp-doc"), _client(app, "boss")
    first = _build_of(publisher)
    assert _submit(contributor, _tidy(HP_2024)).status_code == 302 and _approve(publisher, 1).status_code == 302
    refused = _restore(publisher, first, "   ")
    assert refused.status_code == 400 and "Hãy nêu lý do khôi phục" in refused.get_data(as_text=True)
    assert _statuses(app) == {1: "approved"}
    vi = publisher.get(f"/history/{first}/restore?lang=vi").get_data(as_text=True)
    assert "Lý do" in vi and "lần gửi 1" in vi
    assert contributor.get(f"/history/{first}/restore").status_code == 403
    assert _restore(contributor, first, "x").status_code == 403
    assert publisher.get("/history/0123456789abcdef/restore").status_code == 404
    assert publisher.get(f"/history/{first}/restore?x=1").status_code == 400
    current = _build_of(publisher)
    token = csrf_token(publisher, "/history")
    assert publisher.post(f"/history/{current}/restore", data={"csrf_token": token, "reason": "x"}).status_code == 409
