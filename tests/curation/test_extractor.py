"""The optional model backend, against a fake OpenAI-compatible server on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extraction.model import ModelConfig, ModelError, answer_to_extraction
from partnerships.services import extractor
from partnerships.services.extractor import ask_model

TEXT = (
    "TITLE: Globex and Acme sign a compute agreement\n\n"
    "Globex and Acme signed a multi-year agreement. Acme will purchase $12 billion of Globex cloud capacity."
)


class FakeModel(BaseHTTPRequestHandler):
    answer: dict = {}
    status = 200
    seen: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers["Content-Length"])
        FakeModel.seen.append(
            (self.path, self.headers.get("Authorization"), json.loads(self.rfile.read(length)))
        )
        body = json.dumps({"choices": [{"message": {"content": json.dumps(FakeModel.answer)}}]}).encode()
        self.send_response(FakeModel.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    FakeModel.seen, FakeModel.status = [], 200
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


GOOD_ANSWER = {
    "is_deal": True,
    "confidence": 0.9,
    "kind": "compute",
    "parties": [
        {"name": "Globex", "quote": "Globex and Acme signed a multi-year agreement."},
        {"name": "Acme", "quote": "Acme will purchase $12 billion of Globex cloud capacity."},
        {"name": "Initech", "quote": "Initech joins too."},  # not in the text: dropped
    ],
    "clauses": [
        {
            "kind": "compute_commitment",
            "amount": 12e9,
            "unit": "USD",
            "qualifier": "",
            "effect": "granted",
            "subject": "cloud",
            "quote": "Acme will purchase $12 billion of Globex cloud capacity.",
        },
        {
            "kind": "equity_stake",
            "amount": 49,
            "unit": "percent",
            "qualifier": "",
            "effect": "granted",
            "subject": "",
            "quote": "Globex takes a 49 percent stake in Acme.",
        },  # invented: dropped
        {
            "kind": "made_up_kind",
            "quote": "Globex and Acme signed a multi-year agreement.",
        },  # unknown kind: dropped
    ],
}


def test_it_keeps_only_values_quoted_verbatim(server):
    FakeModel.answer = GOOD_ANSWER
    answer = ask_model(ModelConfig(url=server, model="fake", api_key="k"), TEXT)
    result = answer_to_extraction(answer, TEXT, companies=())

    assert result.is_deal and result.kind == "compute"
    assert [p.name for p in result.parties] == ["Globex", "Acme"]
    assert [(c.kind, c.amount, c.unit) for c in result.clauses] == [
        ("compute_commitment", 12_000_000_000, "USD")
    ]
    assert all(c.quote in TEXT for c in result.clauses)
    path, auth, body = FakeModel.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer k" and body["model"] == "fake"


def test_it_reports_http_errors(server):
    FakeModel.answer, FakeModel.status = GOOD_ANSWER, 500
    with pytest.raises(ModelError, match="HTTP 500"):
        ask_model(ModelConfig(url=server, model="fake"), TEXT)


def test_it_is_off_by_default_and_falls_back_to_rules_on_failure(settings, server):
    assert settings.EXTRACTION_BACKEND == "rules"
    assert extractor.model_config() is None
    settings.EXTRACTION_BACKEND, settings.EXTRACTION_MODEL_URL, settings.EXTRACTION_MODEL_NAME = (
        "model",
        server,
        "fake",
    )
    FakeModel.answer = GOOD_ANSWER
    assert [p.name for p in extractor.extract(TEXT, companies=()).parties] == ["Globex", "Acme"]
    FakeModel.status = 503
    fallback = extractor.extract(TEXT, companies=())  # the rules engine answers instead
    assert fallback.is_deal and {c.kind for c in fallback.clauses} >= {"compute_commitment"}
