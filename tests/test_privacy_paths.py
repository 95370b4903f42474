"""The product's storing and serving paths keep no planted value in clear: the API, the coach pages, the SQLite store."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import numpy as np
import pytest
from api_server import Server, sign_in
from privacy_planted import leaks, planted_interaction

pytestmark = pytest.mark.slow  # a server of its own (redaction on)

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("privacy-api")
    (folder / "recordings").mkdir()  # (serve refuses a recordings root that does not exist)
    srv = Server(folder, env_extra={"QUALICALL_REDACT": "on", "QUALICALL_RECORDINGS_ROOT": str(folder / "recordings")})
    srv.make_keys()
    srv.start()
    yield srv
    srv.stop()


def decode(data: bytes, rate: int = 8000) -> np.ndarray:
    done = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-f", "f32le", "-ac", "1", "-ar", str(rate), "-"], input=data, capture_output=True, check=True)
    return np.frombuffer(done.stdout, dtype=np.float32)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_api_responses_and_the_stored_rows_are_redacted(server):
    data = planted_interaction()
    # A 45 s recording (noise standing in for speech) under the call's nine 5 s turns, in the recordings root.
    recording = server.data_dir / "recordings" / "call.wav"
    recording.parent.mkdir(exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=45:c=pink:r=8000:a=0.3", str(recording)], check=True)
    data["recording"] = recording.name
    with server.client("crm") as crm:
        posted = crm.post("/v1/interactions", json=data, headers={"Idempotency-Key": "privacy-1"})
        assert posted.status_code == 201, posted.text
        replayed = crm.post("/v1/interactions", json=data, headers={"Idempotency-Key": "privacy-1"})
        got = crm.get(f"/v1/interactions/{data['id']}")
        listed = crm.get("/v1/interactions")
    for response in (posted, replayed, got, listed):
        assert response.status_code in (200, 201), response.text
        assert leaks(response.text) == [], response.request.url
    body = got.json()
    agent_name = body["result"]["criteria"]["greeting"]["items"]["agent_name"]
    assert agent_name["status"] == "passed"
    (evidence,) = agent_name["evidence"]
    turn = body["interaction"]["turns"][evidence["turn"]]["text"]
    assert turn[evidence["start_char"] : evidence["end_char"]] == evidence["text"] == "je m'appelle [NAME]"
    # The coach workspace: signed in with a coach key, the queue and the call's page.
    with server.client(None, follow_redirects=False) as browser:
        signed_in = sign_in(browser, api_key=server.keys["coach"])
        assert signed_in.status_code == 303, signed_in.text
        pages = [browser.get(path) for path in ("/queue", f"/calls/{data['id']}")]
        audio = browser.get(f"/calls/{data['id']}/audio")
    for page in pages:
        assert page.status_code == 200 and data["id"] in page.text, page.request.url
        assert leaks(page.text) == [], page.request.url
    assert "[NAME]" in pages[1].text and "[CARD]" in pages[1].text
    # The player gets a redacted copy: the card's turn (15–19.5 s) is a tone, a turn with nothing to redact is untouched.
    assert audio.status_code == 200
    original, played = decode(recording.read_bytes()), decode(audio.content)
    assert len(played) == len(original)
    card_turn = played[int(15.2 * 8000) : int(19.3 * 8000)]
    assert abs(np.argmax(np.abs(np.fft.rfft(card_turn))) * 8000 / len(card_turn) - 1000) < 5
    assert np.allclose(played[int(20.5 * 8000) : int(24 * 8000)], original[int(20.5 * 8000) : int(24 * 8000)], atol=1e-3)
    assert str(recording) not in got.text
    # Everything the store holds, every table, as SQL text.
    database = sqlite3.connect(server.data_dir / "qualicall.db")
    dump = "\n".join(database.iterdump())
    database.close()
    assert data["id"] in dump and "[CARD]" in dump
    assert leaks(dump) == []
    assert leaks(server.log_tail()) == []
