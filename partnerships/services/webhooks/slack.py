"""Slack incoming-webhook messages in Block Kit, from the same data as the JSON payloads.

A message has a header (the deal's title), the parties, the headline figure with its
certainty, the changed clauses (old → new, basis, certainty) and a button to the deal.
Block Kit's limits are kept here, not hoped for: at most 50 blocks, 3,000 characters per
section text, 150 per header, 75 per button label; scraped text is escaped for mrkdwn
(``&``, ``<``, ``>``), so a title cannot ping a channel or forge a link.
"""

from __future__ import annotations

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_LINES = 30  # changed-clause lines shown; the rest are counted


def escape(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}}


def _state(state: dict) -> str:
    parts = [state["kind"].replace("_", " ")]
    if state.get("subject"):
        parts.append(f"({state['subject']})")
    if state.get("value_text"):
        parts.append(state["value_text"])
    if state.get("basis"):
        parts.append(f"[{state['basis']}]")
    if state.get("certainty"):
        parts.append(f"_{state['certainty']}_")
    return escape(" ".join(parts))


def _change_lines(changes: dict) -> list[str]:
    lines = [f"• New: {_state(s)}" for s in changes["added"]]
    lines += [f"• Removed: {_state(s)}" for s in changes["removed"]]
    for change in changes["changed"]:
        fields = ", ".join(
            f"{escape(c['field'])} {escape(c['before'] or '—')} → {escape(c['after'] or '—')}"
            for c in change["changes"]
        )
        lines.append(f"• Changed: {_state(change['after'])}: {fields}")
    lines += [
        f"• {escape(c['field'].capitalize())}: {escape(c['before'] or '—')} → {escape(c['after'] or '—')}"
        for c in changes["deal"]
    ]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"…and {len(lines) - MAX_LINES} more"]
    return lines


_HEADINGS = {
    "deal.published": "New deal",
    "deal.terms_changed": "Terms changed",
    "deal.retracted": "Deal retracted",
    "regulatory.decision": "Regulatory decision",
    "endpoint.test": "Test event",
}


def deal_message(event_type: str, data: dict) -> dict:
    """Block Kit for a deal event (``data`` as ``payloads`` builds it)."""
    deal = data["deal"]
    heading = _HEADINGS.get(event_type, event_type)
    title = f"{heading}: {deal['title']}"
    parties = ", ".join(f"{p['company']['name']} ({p['role']})" for p in deal["parties"])
    value = deal["value"]["text"] if deal.get("value") else "undisclosed"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, MAX_HEADER), "emoji": False}},
        _section(
            f"*Parties:* {escape(parties)}\n*Headline:* {escape(value)} (_{escape(deal['certainty'])}_)"
        ),
    ]
    changes = data.get("changes")
    if changes:
        blocks.append(_section("*What changed*\n" + "\n".join(_change_lines(changes))))
    review = data.get("review")
    if review:
        decided = f" on {review['decided_on']}" if review.get("decided_on") else ""
        outcome = review.get("outcome") or "decided"
        blocks.append(
            _section(
                f"*{escape(review.get('authority', ''))}:* {escape(review.get('case', ''))}\n"
                f"*Decision{escape(decided)}:* {escape(outcome)}"
            )
        )
    if data.get("reason"):
        blocks.append(_section(f"*Reason:* {escape(data['reason'])}"))
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _cut("Open the deal on Pactwatch", MAX_BUTTON)},
                    "url": data["links"]["deal"],
                }
            ],
        }
    )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(f"Pactwatch · {event_type}")}]}
    )
    return {"text": _cut(escape(title), MAX_SECTION), "blocks": blocks[:MAX_BLOCKS]}


def notice_message(event_type: str, text: str) -> dict:
    """Block Kit for a verification or a test without a deal."""
    return {
        "text": _cut(escape(text), MAX_SECTION),
        "blocks": [
            _section(escape(text)),
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": escape(f"Pactwatch · {event_type}")}],
            },
        ],
    }
