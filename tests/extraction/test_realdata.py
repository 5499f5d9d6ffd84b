"""The pipeline on the real captured pages, against our own labels (bench/labels), with its targets."""

import pytest

from bench import extraction_eval

TARGETS = extraction_eval.TARGETS


@pytest.fixture(scope="module")
def report(realdata, monkeypatch_module):
    monkeypatch_module.setenv("PACTWATCH_REALDATA", str(realdata))
    entries = extraction_eval.load_labels()
    texts = extraction_eval.load_texts(entries, realdata)
    from extraction.core import extract_text
    from extraction.lexicon import SEED_COMPANIES
    from extraction.parties import company_index

    results = {path: extract_text(text, companies=SEED_COMPANIES).as_json() for path, text in texts.items()}
    return {
        name: extraction_eval.evaluate(
            [e for e in entries if e["split"] == name], results, company_index(SEED_COMPANIES)
        )
        for name in ("dev", "test")
    } | {"all": extraction_eval.evaluate(entries, results, company_index(SEED_COMPANIES))}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_labels_are_split_and_cover_deals_and_non_deals():
    entries = extraction_eval.load_labels()
    assert {e["split"] for e in entries} == {"dev", "test", "holdout"}
    test = [e for e in entries if e["split"] == "test"]
    assert sum(e["is_deal"] for e in test) >= 20 and sum(not e["is_deal"] for e in test) >= 20


@pytest.mark.parametrize("split", ["dev", "all"])
@pytest.mark.parametrize("metric", sorted(TARGETS))
def test_it_meets_the_targets(report, split, metric):
    assert report[split][metric] >= TARGETS[metric], report[split]["misses"]


def test_every_quote_is_found_verbatim_in_its_text(realdata):
    from extraction.core import extract_text
    from extraction.text import parse_document

    for path in sorted((realdata / "announcements").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        document = parse_document(raw)
        for clause in extract_text(raw).clauses:
            assert clause.quote in document.body or clause.quote in document.title, (path.name, clause.quote)


def test_the_microsoft_openai_phases_read_as_the_right_of_first_refusal_appearing_then_disappearing(realdata):
    from extraction.core import extract_text

    folder = realdata / "announcements"
    read = {
        name: extract_text(next(folder.glob(f"{name}_*.txt")).read_text(encoding="utf-8"))
        for name in ("41", "42", "43")
    }
    rofr = {
        name: [c.effect for c in r.clauses if c.kind == "right_of_first_refusal"] for name, r in read.items()
    }
    assert rofr["41"] == [] and rofr["42"] == ["granted"] and rofr["43"] == ["removed"]
    assert all(sorted(p.name for p in r.parties) == ["Microsoft", "OpenAI"] for r in read.values())
    assert read["43"].is_expansion


@pytest.mark.django_db
def test_the_real_microsoft_openai_pages_chain_into_phases_through_the_service(realdata):
    import datetime

    from django.utils import timezone

    from extraction.text import parse_document
    from partnerships.models import Clause
    from partnerships.services.candidates import announcement_extract, deal_phase_diff
    from tests.factories import AnnouncementFactory, CompanyFactory

    CompanyFactory(name="Microsoft", slug="microsoft")
    CompanyFactory(name="OpenAI", slug="openai")
    deals = []
    for number in ("41", "42", "43"):
        raw = next((realdata / "announcements").glob(f"{number}_*.txt")).read_text(encoding="utf-8")
        document = parse_document(raw)
        announcement = AnnouncementFactory(
            newsroom=None,
            url=f"https://example.com/msft-openai/{number}",
            title=document.title,
            text=raw,
            published_at=timezone.make_aware(
                datetime.datetime.combine(document.header_date, datetime.time(12))
            ),
        )
        deals.append(announcement_extract(announcement_id=announcement.pk))
    phase_2023, phase_jan, phase_oct = deals
    assert phase_jan.predecessor == phase_2023 and phase_oct.predecessor == phase_jan
    kinds = Clause.Kind.RIGHT_OF_FIRST_REFUSAL
    assert kinds in {c.kind for c in deal_phase_diff(phase_jan).added}
    removed = [c for c in deal_phase_diff(phase_oct).changed if c.kind == kinds]
    assert removed and removed[0].after.effect == Clause.Effect.REMOVED
