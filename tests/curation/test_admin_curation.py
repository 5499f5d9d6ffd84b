"""The curation admin as each role uses it: review queue, actions, audit trail, lockout."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.models import AlertDelivery, AlertEvent, Clause, Company, CompanyAlias, Deal, Subscription
from tests.curation.conftest import make_candidate
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db

QUEUE = "admin:partnerships_deal_review_queue"


def review_url(deal):
    return reverse("admin:partnerships_deal_review", args=[deal.pk])


def action(client, model, name, ids, **extra):
    url = reverse(f"admin:partnerships_{model}_changelist")
    return client.post(url, {"action": name, "_selected_action": [str(i) for i in ids], **extra})


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Roles ------------------------------------------------------------------------------


def test_the_migration_creates_both_groups_with_the_right_permissions():
    curator = set(Group.objects.get(name="Curator").permissions.values_list("codename", flat=True))
    viewer = set(Group.objects.get(name="Viewer").permissions.values_list("codename", flat=True))
    assert {
        "publish_deal",
        "change_deal",
        "add_deal",
        "change_clause",
        "delete_clause",
        "change_newsroom",
    } <= curator
    assert "delete_deal" not in curator  # deals are rejected or retracted, never deleted
    assert "view_subscription" not in curator | viewer  # subscribers' addresses stay private
    assert viewer and all(code.startswith("view_") for code in viewer)
    assert {"view_deal", "view_clause", "view_announcement", "view_scraperun"} <= viewer


def test_a_viewer_reads_everything_but_changes_nothing(client, viewer):
    deal = make_candidate(confirmed=True)
    client.force_login(viewer)
    assert b"Review queue" in client.get(reverse("admin:index")).content
    assert client.get(reverse("admin:partnerships_deal_changelist")).status_code == 200
    assert client.get(reverse(QUEUE)).status_code == 200
    page = client.get(review_url(deal))
    assert page.status_code == 200
    assert b'value="publish"' not in page.content
    change = client.get(reverse("admin:partnerships_deal_change", args=[deal.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content

    assert client.post(review_url(deal), {"op": "publish"}).status_code == 403
    assert client.post(reverse(QUEUE), {"op": "publish", "ids": [deal.pk]}).status_code == 403
    action(client, "deal", "publish_selected", [deal.pk])
    edit = client.post(reverse("admin:partnerships_deal_change", args=[deal.pk]), {"title": "Hijacked"})
    assert edit.status_code == 403
    deal.refresh_from_db()
    assert deal.status == Deal.Status.CANDIDATE and deal.title != "Hijacked"


def test_a_viewer_cannot_run_newsroom_actions(client, viewer, monkeypatch):
    from scrapers.admin import newsrooms as scrapers_admin
    from tests.factories import NewsroomFactory

    called = []
    monkeypatch.setattr(scrapers_admin.services, "selector_tests_request", lambda **kw: called.append(kw))
    monkeypatch.setattr(scrapers_admin.services, "newsroom_scrapes_request", lambda **kw: called.append(kw))
    newsroom = NewsroomFactory()
    client.force_login(viewer)
    url = reverse("admin:scrapers_newsroom_changelist")
    client.post(url, {"action": "test_selectors_now", "_selected_action": [newsroom.pk]})
    client.post(url, {"action": "scrape_now", "_selected_action": [newsroom.pk]})
    assert called == []


def test_staff_in_no_group_sees_nothing(client, bare_staff):
    deal = make_candidate()
    client.force_login(bare_staff)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert b"have permission to view or edit anything" in index.content
    assert b"Review queue" not in index.content
    assert client.get(reverse("admin:partnerships_deal_changelist")).status_code == 403
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.get(review_url(deal)).status_code == 403


def test_a_curator_publishes_from_the_review_page(client, curator):
    deal = make_candidate(confirmed=False)
    client.force_login(curator)
    form = {"op": "clauses", "_publish": "1"}
    form |= {f"clause-{pk}": "confirm" for pk in deal.clauses.values_list("pk", flat=True)}
    response = client.post(review_url(deal), form)
    assert response.status_code == 302 and response.url == reverse(QUEUE)
    deal.refresh_from_db()
    assert deal.status == Deal.Status.PUBLISHED
    assert set(deal.clauses.values_list("status", flat=True)) == {"confirmed"}
    assert deal.history.latest("history_date").history_user == curator  # set by the history middleware


def test_a_curator_drops_a_clause_on_review(client, curator):
    deal = make_candidate(confirmed=False)
    keep, drop = deal.clauses.order_by("pk")
    client.force_login(curator)
    client.post(
        review_url(deal), {"op": "clauses", f"clause-{keep.pk}": "confirm", f"clause-{drop.pk}": "drop"}
    )
    assert list(deal.clauses.values_list("pk", "status")) == [(keep.pk, "confirmed")]
    assert Clause.history.filter(id=drop.pk, history_type="-", history_user=curator).exists()


def test_a_curator_cannot_delete_deals(client, curator):
    deal = make_candidate()
    client.force_login(curator)
    assert client.get(reverse("admin:partnerships_deal_delete", args=[deal.pk])).status_code == 403


# --- Publish ----------------------------------------------------------------------------


def test_publish_errors_say_what_is_missing(client, curator):
    deal = make_candidate(parties=1, confirmed=False, kind="")
    client.force_login(curator)
    response = client.post(review_url(deal), {"op": "publish"}, follow=True)
    body = " ".join(texts(response))
    assert "cannot be published yet" in body
    assert "at least two parties (found 1" in body
    assert "needs a kind" in body
    assert "2 still unreviewed" in body
    deal.refresh_from_db()
    assert deal.status == Deal.Status.CANDIDATE
    # The page itself lists the same problems before anyone presses the button.
    assert b"Not ready to publish" in client.get(review_url(deal)).content


def test_publishing_twice_raises_one_alert_event(client, curator, django_capture_on_commit_callbacks):
    Subscription.objects.create(email="reader@example.com", status="active", consent_at=timezone.now())
    deal = make_candidate()
    client.force_login(curator)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            action(client, "deal", "publish_selected", [deal.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(review_url(deal), {"op": "publish"})
    deal.refresh_from_db()
    assert deal.status == Deal.Status.PUBLISHED
    assert AlertEvent.objects.filter(deal=deal, kind="published").count() == 1
    assert AlertDelivery.objects.filter(deal=deal).count() == 1
    assert len([m for m in mail.outbox if "reader@example.com" in m.to]) == 1
    assert deal.history.filter(status="published").count() == 1


def test_bulk_publish_and_reject_from_the_queue(client, curator):
    ready = [make_candidate() for _ in range(2)]
    not_ready = make_candidate(parties=1)
    client.force_login(curator)
    response = client.post(
        reverse(QUEUE), {"op": "publish", "ids": [d.pk for d in [*ready, not_ready]]}, follow=True
    )
    assert sum("Published" in t for t in texts(response)) == 2
    assert any("at least two parties" in t for t in texts(response))
    assert {d.status for d in Deal.objects.filter(pk__in=[d.pk for d in ready])} == {"published"}
    response = client.post(reverse(QUEUE), {"op": "reject", "ids": [not_ready.pk], "reason": ""}, follow=True)
    assert any("Give a reason" in t for t in texts(response))
    client.post(reverse(QUEUE), {"op": "reject", "ids": [not_ready.pk], "reason": "Duplicate of a blog post"})
    not_ready.refresh_from_db()
    assert (not_ready.status, not_ready.status_reason) == ("rejected", "Duplicate of a blog post")


def test_reject_action_asks_for_a_reason_first(client, curator):
    deal = make_candidate()
    client.force_login(curator)
    page = action(client, "deal", "reject_selected", [deal.pk])
    assert page.status_code == 200 and b'name="reason"' in page.content
    action(client, "deal", "reject_selected", [deal.pk], confirm="yes", reason="Not a partnership")
    deal.refresh_from_db()
    assert (deal.status, deal.status_reason) == ("rejected", "Not a partnership")


# --- Merge, phase, retract -------------------------------------------------------------


def test_merge_keeps_sources_and_clauses_and_the_old_url_redirects(client, curator):
    survivor = make_candidate(status=Deal.Status.PUBLISHED)
    dup = make_candidate(status=Deal.Status.PUBLISHED)
    ClauseFactory(deal=dup, kind=Clause.Kind.BOARD_RIGHTS, quote="a board observer seat")
    sources = set(survivor.sources.values_list("pk", flat=True)) | set(
        dup.sources.values_list("pk", flat=True)
    )
    client.force_login(curator)
    response = client.post(review_url(dup), {"op": "merge", "target_text": survivor.slug})
    assert response.url == reverse("admin:partnerships_deal_change", args=[survivor.pk])
    dup.refresh_from_db()
    assert dup.status == Deal.Status.MERGED and dup.merged_into_id == survivor.pk
    assert set(survivor.sources.values_list("pk", flat=True)) == sources
    assert survivor.clauses.filter(kind=Clause.Kind.BOARD_RIGHTS, quote="a board observer seat").exists()
    client.logout()
    old = client.get(f"/deals/{dup.slug}/")
    assert old.status_code == 301 and old["Location"].endswith(f"/deals/{survivor.slug}/")


def test_merge_with_an_unknown_target_explains(client, curator):
    deal = make_candidate()
    client.force_login(curator)
    for target in ["no-such-slug", "9" * 30, ""]:
        response = client.post(review_url(deal), {"op": "merge", "target_text": target}, follow=True)
        assert response.status_code == 200
        assert any("No deal has" in t or "Pick a deal" in t for t in texts(response))
    deal.refresh_from_db()
    assert deal.status == Deal.Status.CANDIDATE


def test_merge_suggests_deals_sharing_parties(client, curator):
    survivor = make_candidate(status=Deal.Status.PUBLISHED)
    dup = make_candidate()
    for party in survivor.deal_parties.all():
        DealPartyFactory(deal=dup, company=party.company)
    unrelated = make_candidate(status=Deal.Status.PUBLISHED)
    client.force_login(curator)
    page = client.get(review_url(dup))
    assert [d.pk for d in page.context["related"]] == [survivor.pk]
    assert unrelated.pk not in [d.pk for d in page.context["related"]]


def test_phase_link_shows_the_clause_diff_on_the_deal_page(client, curator):
    first = DealFactory(announced_on=datetime.date(2019, 7, 22), title="First phase")
    ClauseFactory(deal=first, kind=Clause.Kind.EXCLUSIVITY, subject="cloud")
    ClauseFactory(deal=first, kind=Clause.Kind.INVESTMENT, amount=1_000_000_000, unit="USD")
    second = make_candidate(clauses=0, announced_on=datetime.date(2023, 1, 23))
    ClauseFactory(deal=second, kind=Clause.Kind.INVESTMENT, amount=10_000_000_000, unit="USD")
    ClauseFactory(deal=second, kind=Clause.Kind.RIGHT_OF_FIRST_REFUSAL, subject="cloud")
    client.force_login(curator)
    response = client.post(review_url(second), {"op": "phase", "target": first.pk}, follow=True)
    assert any("1 clauses added, 1 removed, 1 changed" in t for t in texts(response))
    second.refresh_from_db()
    assert second.predecessor == first
    page = client.get(reverse("admin:partnerships_deal_change", args=[second.pk])).content.decode()
    assert '<tr class="diff-added"><td>added</td><td>Right of first refusal (cloud)</td>' in page
    assert '<tr class="diff-removed"><td>removed</td><td>Exclusivity (cloud)</td>' in page
    assert "<td>$1B</td><td>$10B</td>" in page


def test_retract_keeps_the_public_page_with_the_reason(client, curator):
    deal = make_candidate(status=Deal.Status.PUBLISHED)
    client.force_login(curator)
    action(client, "deal", "retract_selected", [deal.pk], confirm="yes", reason="The vendor withdrew it")
    deal.refresh_from_db()
    assert (deal.status, deal.status_reason) == ("retracted", "The vendor withdrew it")
    client.logout()
    page = client.get(f"/deals/{deal.slug}/")
    assert page.status_code == 200
    assert b"The vendor withdrew it" in page.content


# --- Companies and newsrooms ------------------------------------------------------------


def test_merge_companies_action_moves_deals_and_aliases(client, curator):
    keep, dup = CompanyFactory(name="Alphabet"), CompanyFactory(name="Google Research Unit")
    CompanyAlias.objects.create(company=dup, name="Google")
    deal = DealFactory()
    DealPartyFactory(deal=deal, company=keep)
    DealPartyFactory(deal=deal, company=dup)
    client.force_login(curator)
    page = action(client, "company", "merge_companies", [keep.pk, dup.pk])
    assert b'name="survivor"' in page.content
    action(client, "company", "merge_companies", [keep.pk, dup.pk], confirm="yes", survivor=keep.pk)
    assert not Company.objects.filter(pk=dup.pk).exists()
    assert list(deal.deal_parties.values_list("company_id", flat=True)) == [keep.pk]
    assert set(keep.aliases.values_list("name", flat=True)) == {"Google", "Google Research Unit"}
    assert Company.history.filter(id=dup.pk, history_type="-", history_user=curator).exists()


def test_scrape_now_enqueues_after_commit(client, curator, monkeypatch, django_capture_on_commit_callbacks):
    from scrapers import tasks
    from scrapers.models import ScrapeRun
    from tests.factories import NewsroomFactory

    queued = []
    monkeypatch.setattr(
        tasks.newsroom_scrape_task, "delay", lambda pk, run_id=None: queued.append((pk, run_id))
    )
    rooms = [NewsroomFactory(), NewsroomFactory()]
    client.force_login(curator)
    url = reverse("admin:scrapers_newsroom_changelist")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"action": "scrape_now", "_selected_action": [r.pk for r in rooms]})
    assert queued == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    runs = {run.newsroom_id: run.pk for run in ScrapeRun.objects.filter(status=ScrapeRun.Status.QUEUED)}
    assert sorted(queued) == sorted((r.pk, runs[r.pk]) for r in rooms)
    # The admin shows the queued runs on a page that refreshes until the worker has filled them in.
    progress = client.get(response["Location"])
    assert progress.status_code == 200 and b'http-equiv="refresh"' in progress.content
    assert [run.status for run in progress.context["runs"]] == ["queued", "queued"]


# --- Audit trail -------------------------------------------------------------------------


def test_admin_actions_are_in_the_history_with_the_curator(client, curator):
    deal = make_candidate()
    client.force_login(curator)
    action(client, "deal", "publish_selected", [deal.pk])
    action(client, "deal", "retract_selected", [deal.pk], confirm="yes", reason="wrong date")
    rows = list(deal.history.order_by("history_date").values_list("status", "history_user__username"))
    assert rows[-2:] == [("published", "cora"), ("retracted", "cora")]
    history_page = client.get(reverse("admin:partnerships_deal_history", args=[deal.pk]))
    assert history_page.status_code == 200 and b"cora" in history_page.content
    change_page = client.get(reverse("admin:partnerships_deal_change", args=[deal.pk])).content.decode()
    assert "cora changed Deal (status: Published → Retracted" in change_page


def test_history_cannot_be_used_to_bypass_curation(client, viewer, curator):
    deal = make_candidate()
    original = deal.history.earliest("history_date")
    deal.title = "Renamed"
    deal.save()
    clause = deal.clauses.first()
    first_clause = clause.history.earliest("history_date")
    clause.subject = "edited"
    clause.save()
    deal_url = reverse("admin:partnerships_deal_simple_history", args=[deal.pk, original.history_id])
    clause_url = reverse(
        "admin:partnerships_clause_simple_history", args=[clause.pk, first_clause.history_id]
    )

    client.force_login(viewer)
    assert client.get(deal_url).status_code == 200  # viewers may read old versions
    assert client.post(clause_url, {}).status_code == 403
    client.force_login(curator)
    assert client.post(deal_url, {"title": original.title}).status_code == 403  # deals: services only
    deal.refresh_from_db()
    assert deal.title == "Renamed"


def test_newsroom_edits_are_in_the_history(client, curator):
    from scrapers.models import Newsroom
    from tests.factories import NewsroomFactory

    newsroom = NewsroomFactory(kind=Newsroom.Kind.HTML)
    client.force_login(curator)
    url = reverse("admin:scrapers_newsroom_change", args=[newsroom.pk])
    form = {
        "name": newsroom.name,
        "slug": newsroom.slug,
        "kind": "html",
        "url": newsroom.url,
        "is_active": "on",
        "selectors": '{"item": "article", "title": "h3"}',
        "fetch_interval": "01:00:00",
        "expected_cadence": "14 00:00:00",
        "next_fetch_at_0": "2026-01-01",
        "next_fetch_at_1": "00:00:00",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    newsroom.refresh_from_db()
    assert newsroom.selectors == {"item": "article", "title": "h3"}
    latest = newsroom.history.latest("history_date")
    assert latest.history_user == curator and latest.selectors == {"item": "article", "title": "h3"}


# --- Queue page -------------------------------------------------------------------------


def _queue_queries(client, count):
    Deal.objects.filter(status=Deal.Status.CANDIDATE).delete()
    for _ in range(count):
        make_candidate()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert len(response.context["candidates"]) == count
    return len(ctx.captured_queries)


def test_the_queue_query_count_does_not_grow(client, curator):
    client.force_login(curator)
    few = _queue_queries(client, 5)
    many = _queue_queries(client, 50)
    assert few == many
    assert many <= 10


def test_the_queue_lists_newest_then_most_confident(client, curator):
    low = make_candidate(confidence=0.4)
    high = make_candidate(confidence=0.9)
    Deal.objects.filter(pk__in=[low.pk, high.pk]).update(created_at=timezone.now())
    newest = make_candidate(confidence=0.1)
    Deal.objects.filter(pk=newest.pk).update(created_at=timezone.now() + datetime.timedelta(minutes=1))
    make_candidate(status=Deal.Status.PUBLISHED)
    client.force_login(curator)
    page = client.get(reverse(QUEUE))
    assert [d.pk for d in page.context["candidates"]] == [newest.pk, high.pk, low.pk]


def test_the_review_page_marks_quotes_in_escaped_text(client, curator):
    text = "Intro <script>alert(1)</script>. Contoso will invest $2 billion in Northwind. <b>end</b>"
    deal = make_candidate(text=text, clauses=1)
    ClauseFactory(deal=deal, kind=Clause.Kind.WARRANT, quote="a sentence nobody wrote")
    client.force_login(curator)
    body = client.get(review_url(deal)).content.decode()
    clause = deal.clauses.get(kind=Clause.Kind.INVESTMENT)
    assert f'<mark id="quote-{clause.pk}">Contoso will invest $2 billion in Northwind.</mark>' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "&lt;b&gt;end&lt;/b&gt;" in body
    assert "not found in the source text" in body


# --- Login lockout and createcurator ----------------------------------------------------


def test_admin_login_locks_out_after_repeated_failures(client, settings):
    User.objects.create_user("eve", "eve@example.com", "right-password-123", is_staff=True)
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(login, {"username": "eve", "password": "wrong"}).status_code == 200
    assert client.post(login, {"username": "eve", "password": "wrong"}).status_code == 429
    locked = client.post(login, {"username": "eve", "password": "right-password-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_createcurator_creates_a_staff_curator(monkeypatch, capsys):
    monkeypatch.setenv("PACTWATCH_CURATOR_PASSWORD", "a-long-curator-pass-42")
    call_command("createcurator", "cora2", "cora2@example.com", "--no-input")
    user = User.objects.get(username="cora2")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("a-long-curator-pass-42")
    assert list(user.groups.values_list("name", flat=True)) == ["Curator"]
    assert user.has_perm("partnerships.publish_deal")
    assert "Created curator “cora2”" in capsys.readouterr().out
    call_command(
        "createcurator", "cora2", "cora2@example.com", "--viewer", "--password", "another-long-pass-77"
    )
    user = User.objects.get(username="cora2")
    assert list(user.groups.values_list("name", flat=True)) == ["Viewer"]
    assert not user.has_perm("partnerships.publish_deal")


def test_createcurator_refuses_weak_or_missing_passwords(monkeypatch):
    monkeypatch.delenv("PACTWATCH_CURATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="No password"):
        call_command("createcurator", "x", "x@example.com", "--no-input")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("createcurator", "x", "x@example.com", "--password", "123")
    with pytest.raises(CommandError, match="not a valid email"):
        call_command("createcurator", "x", "not-an-email", "--password", "a-long-curator-pass-42")
    assert not User.objects.filter(username="x").exists()


# --- Test selectors now, against a real local server -------------------------------------

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Northwind picks Contoso cloud</title><link>http://example.com/a</link>
<pubDate>Tue, 28 Jan 2026 10:00:00 GMT</pubDate></item>
<item><title>Second post</title><link>http://example.com/b</link>
<pubDate>Wed, 29 Jan 2026 10:00:00 GMT</pubDate></item></channel></rss>"""


@pytest.fixture
def local_site(settings):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from scrapers import fetch

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/feed.xml":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(FEED)))
                self.end_headers()
                self.wfile.write(FEED)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args):
            pass

    settings.SCRAPER_ALLOW_LOOPBACK = True
    fetch.clear_caches()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    fetch.clear_caches()


def test_test_selectors_shows_what_the_parser_returns(
    client, curator, local_site, django_capture_on_commit_callbacks
):
    from scrapers.models import Announcement, Newsroom, ScrapeRun
    from tests.factories import NewsroomFactory

    good = NewsroomFactory(url=f"{local_site}/feed.xml", kind=Newsroom.Kind.FEED)
    gone = NewsroomFactory(url=f"{local_site}/gone.xml", kind=Newsroom.Kind.FEED)
    client.force_login(curator)
    # The web request only queues the tests; a worker (here: eager, on commit) fetches and parses.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:scrapers_newsroom_changelist"),
            {"action": "test_selectors_now", "_selected_action": [good.pk, gone.pk]},
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'http-equiv="refresh"' not in page.content  # all done
    results = {test.newsroom_id: test for test in page.context["tests"]}
    assert [item["title"] for item in results[good.pk].items] == [
        "Northwind picks Contoso cloud",
        "Second post",
    ]
    assert results[good.pk].items[0]["published_at"].startswith("2026-01-28")
    assert results[gone.pk].status == "failed" and "HTTP 404" in results[gone.pk].error
    body = page.content.decode()
    assert "Northwind picks Contoso cloud" in body and "2 items" in body
    assert not ScrapeRun.objects.exists() and not Announcement.objects.exists()  # a test run writes nothing


def test_groups_follow_new_permissions_after_migrate():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    viewer = Group.objects.get(name="Viewer")
    perm = Permission.objects.get(codename="view_scraperun")
    viewer.permissions.remove(perm)
    # Stands in for a model whose permission appeared after the groups migration ran.
    call_command("migrate", "scrapers", verbosity=0)
    assert viewer.permissions.filter(pk=perm.pk).exists()
    assert ContentType.objects.filter(app_label="scrapers", model="scraperun").exists()


def test_createcurator_prompts_for_the_password_twice(monkeypatch):
    from partnerships.management.commands import createcurator

    monkeypatch.delenv("PACTWATCH_CURATOR_PASSWORD", raising=False)
    answers = iter(["a-long-curator-pass-42", "a-long-curator-pass-42"])
    monkeypatch.setattr(createcurator.getpass, "getpass", lambda prompt: next(answers))
    call_command("createcurator", "pat", "pat@example.com")
    assert User.objects.get(username="pat").check_password("a-long-curator-pass-42")
    answers = iter(["a-long-curator-pass-42", "different-pass-99"])
    with pytest.raises(CommandError, match="differ"):
        call_command("createcurator", "pat2", "pat2@example.com")


@pytest.mark.parametrize("object_id", ["abc", "1abc", "-1", "1%20"])
def test_a_non_numeric_deal_id_on_the_review_page_is_a_404(client, curator, object_id):
    client.force_login(curator)
    assert client.get(f"/admin/partnerships/deal/{object_id}/review/").status_code == 404
