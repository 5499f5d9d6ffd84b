"""Per-host policies: sec.gov's declared User-Agent, one slot for all its hosts, and its pace."""

import pytest

from scrapers.fetch import DEFAULT_POLICY, FetchError, HostPolicy, fetch, host_policy

SEC_UA = "Pactwatch tests admin@example.org"


@pytest.mark.parametrize("host", ["sec.gov", "www.sec.gov", "data.sec.gov", "efts.sec.gov", "WWW.SEC.GOV."])
def test_every_sec_gov_host_shares_one_slot_paced_by_sec_request_delay(settings, host):
    settings.SEC_USER_AGENT, settings.SEC_REQUEST_DELAY = SEC_UA, 0.25
    assert host_policy(host) == HostPolicy(slot="sec.gov", delay=0.25, user_agent=SEC_UA)


@pytest.mark.parametrize("host", ["notsec.gov", "sec.gov.example.com", "www.gov.uk", "openai.com"])
def test_other_hosts_keep_the_default_policy(settings, host):
    settings.SEC_USER_AGENT = SEC_UA
    assert host_policy(host) is DEFAULT_POLICY
    assert DEFAULT_POLICY.agent == settings.SCRAPER_USER_AGENT


def test_sec_gov_is_not_asked_without_a_declared_contact(settings):
    settings.SEC_USER_AGENT = ""
    with pytest.raises(FetchError, match="SEC_USER_AGENT") as caught:
        fetch("https://www.sec.gov/Archives/edgar/data/1018724/")
    assert caught.value.permanent


def test_a_policy_names_the_user_agent_every_request_and_robots_check_uses(server):
    server.add(
        "/robots.txt", "User-agent: FilingsBot\nDisallow: /private\n", headers={"Content-Type": "text/plain"}
    )
    server.add("/private/page", "<p>hello</p>")
    policy = HostPolicy(slot="sec.gov", delay=0.0, user_agent="FilingsBot admin@example.org")

    assert fetch(server.url("/private/page")).status == 200  # our usual agent is not named there
    with pytest.raises(FetchError, match="robots.txt disallows"):
        fetch(server.url("/private/page"), policy=policy)
    server.add("/open", "<p>open</p>")
    fetch(server.url("/open"), policy=policy)
    agents = {path: headers["User-Agent"] for path, headers in server.requests}
    assert agents["/open"] == "FilingsBot admin@example.org"
