"""The model backend's pure half: the request it builds and how it reads an answer (no network here)."""

import json

import pytest

from extraction.model import ModelConfig, ModelError, completion_answer, completion_request


def test_it_builds_one_chat_completion_naming_the_allowed_kinds():
    url, headers, body = completion_request(ModelConfig(url="http://127.0.0.1:9/v1", model="m"), "x" * 30_000)
    assert url == "http://127.0.0.1:9/v1/chat/completions"
    assert "Authorization" not in headers
    system, user = body["messages"]
    assert "compute_commitment" in system["content"] and "up_to" in system["content"]
    assert len(user["content"]) == 20_000  # long inputs are cut, not sent whole


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({"choices": []}).encode(),
        json.dumps({"choices": [{"message": {"content": "[1, 2]"}}]}).encode(),
    ],
)
def test_it_refuses_an_answer_that_is_not_one_json_object(body):
    with pytest.raises(ModelError):
        completion_answer(body)


def test_it_reads_the_json_object_inside_the_completion():
    body = json.dumps({"choices": [{"message": {"content": json.dumps({"is_deal": False})}}]}).encode()
    assert completion_answer(body) == {"is_deal": False}
