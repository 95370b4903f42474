"""Audio jobs through the real server: upload → 202 → transcribed and scored by a worker → signed webhook;
upload errors; and kill -9 of the server with jobs queued and running: every accepted job completes, none twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from api_server import Receiver, silent_wav, upload, wait_for

pytest.importorskip("qualicall.audio.pipeline", reason="the audio pipeline is not installed")
if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
    pytest.skip("needs espeak-ng and ffmpeg", allow_module_level=True)

pytestmark = pytest.mark.slow  # servers that transcribe with Whisper

AGENT = "Bonjour, service client Énergie Plus, Julie à votre écoute. Que puis-je faire pour vous ?"
CUSTOMER = "Bonjour, ma facture de mars est deux fois plus élevée que d'habitude."


@pytest.fixture(scope="module")
def stereo_call(tmp_path_factory) -> Path:
    """A short stereo call at 16 kHz: the agent (espeak-ng) on the left, the customer on the right after it."""
    folder = tmp_path_factory.mktemp("audio")
    for name, text, voice in (("agent", AGENT, "fr+f3"), ("customer", CUSTOMER, "fr+m3")):
        subprocess.run(["espeak-ng", "-v", voice, "-s", "170", "-w", str(folder / f"{name}.wav"), text], check=True)
    out = folder / "call.wav"
    subprocess.run([
        "ffmpeg", "-v", "error", "-y", "-i", str(folder / "agent.wav"), "-i", str(folder / "customer.wav"), "-filter_complex",
        "[0]aformat=sample_fmts=s16:channel_layouts=mono,apad=whole_dur=9[a];"
        "[1]aformat=sample_fmts=s16:channel_layouts=mono,adelay=5000,apad=whole_dur=9[b];"
        "[a][b]join=inputs=2:channel_layout=stereo,aresample=16000[out]",
        "-map", "[out]", "-t", "9", str(out),
    ], check=True)
    return out


def test_idempotent_upload(sqlite_api, stereo_call):
    with sqlite_api.client("crm") as crm:
        first = upload(crm, stereo_call, {"id": "audio-idem"}, headers={"Idempotency-Key": "upload-1"})
        again = upload(crm, stereo_call, {"id": "audio-idem"}, headers={"Idempotency-Key": "upload-1"})
        assert first.status_code == again.status_code == 202
        assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
        assert again.headers["location"] == first.headers["location"] == f"/v1/jobs/{first.json()['id']}"
        other = upload(crm, stereo_call, {"id": "audio-other"}, headers={"Idempotency-Key": "upload-1"})
        assert other.status_code == 409


def test_audio_job_is_scored_and_the_webhook_signed_and_retried(sqlite_api, stereo_call):
    receiver = Receiver()
    with sqlite_api.client("crm") as crm:
        accepted = upload(crm, stereo_call, {"id": "audio-1", "agent_id": "A-9", "language": "fr"}, callback_url=receiver.url)
        assert accepted.status_code == 202, accepted.text
        job = wait_for(crm, accepted.json()["id"], ("succeeded", "failed"))
        assert job["status"] == "succeeded", job["error"]
        stored = crm.get("/v1/interactions/audio-1").json()
    turns = stored["interaction"]["turns"]
    assert {t["speaker"] for t in turns} == {"agent", "customer"} and turns[0]["speaker"] == "agent"
    assert all(t["text"].strip() for t in turns) and stored["interaction"]["agent_id"] == "A-9"
    assert turns[-1]["start"] >= 4.5, "the customer speaks after 5 s on the right channel"
    assert stored["result"]["rubric"]["id"] == "default-fr" and stored["result"]["criteria"]["greeting"]["items"]
    assert any(i["source"] == "measured" for i in stored["result"]["indicators"].values()), "audio measures are scored"
    deadline = time.monotonic() + 30
    while len(receiver.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    receiver.server.shutdown()
    assert len(receiver.calls) == 2, "a failed delivery is retried"
    (first_headers, first_body), (headers, body) = receiver.calls
    assert body == first_body and headers["x-qualicall-delivery"] == first_headers["x-qualicall-delivery"]
    # The signature covers the delivery's timestamp, so that a receiver can refuse a replayed delivery (README).
    timestamp = headers["x-qualicall-timestamp"]
    expected = "sha256=" + hmac.new(sqlite_api.secrets["crm"].encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-qualicall-signature"], expected)
    assert abs(time.time() - int(timestamp)) < 120 and int(timestamp) >= int(first_headers["x-qualicall-timestamp"])
    payload = json.loads(body)
    assert payload["event"] == "job.succeeded" and payload["delivery_id"] == headers["x-qualicall-delivery"]
    assert payload["job"]["id"] == job["id"] and payload["result"]["interaction_id"] == "audio-1"
    with sqlite_api.client("crm") as crm:
        webhook = crm.get(f"/v1/jobs/{job['id']}").json()["webhook"]
    assert webhook["id"] == headers["x-qualicall-delivery"] and webhook["status"] == "delivered" and webhook["attempts"] == 2
    assert webhook["last_error"] is None and webhook["delivered_at"] and webhook["next_attempt_at"] is None


def test_a_webhook_given_up_on_is_seen_on_its_job_and_in_the_log(sqlite_api, tmp_path):
    """Nothing listening at the callback: after its attempts (8, from 0.2 s doubling: about 25 s) the delivery is
    `failed` on GET /v1/jobs/{id} with the last error, and the server logs it (it was seen nowhere: an integrator's
    review). A recording too short to transcribe fails at once, and its failure is called back too."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    with sqlite_api.client("crm") as crm:
        accepted = upload(crm, silent_wav(tmp_path / "blip.wav", 0), {"id": "dead-hook"}, callback_url=dead)
        assert accepted.status_code == 202, accepted.text
        job = wait_for(crm, accepted.json()["id"], ("failed",))
        deadline = time.monotonic() + 90
        while (job.get("webhook") or {}).get("status") != "failed" and time.monotonic() < deadline:
            time.sleep(0.5)
            job = crm.get(f"/v1/jobs/{job['id']}").json()
    assert job["webhook"]["status"] == "failed" and job["webhook"]["attempts"] == 8, job
    assert "ConnectError" in job["webhook"]["last_error"] and job["webhook"]["delivered_at"] is None
    assert f"webhook delivery {job['webhook']['id']} of job {job['id']} given up after 8 attempts" in (sqlite_api.data_dir / f"server-{sqlite_api.port}.log").read_text(errors="replace")


def test_a_receiver_trickling_its_answer_holds_no_delivery(sqlite_api, tmp_path):
    """A receiver that answers 200 with a body it sends a byte every 2 s (a security review: the delivery thread read
    it, each byte resetting the 10 s timeout, every other job's callback waiting): delivered as soon as its status
    comes, the body never read, nor asked compressed."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen: list[bytes] = []

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            seen.append(connection.recv(65536))
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            for _ in range(30):
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                time.sleep(2)

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        with sqlite_api.client("crm") as crm:
            accepted = upload(crm, silent_wav(tmp_path / "blip.wav", 0), {"id": "trickled"}, callback_url=url)
            job = wait_for(crm, accepted.json()["id"], ("failed",))
            deadline = time.monotonic() + 20
            while (job.get("webhook") or {}).get("status") != "delivered" and time.monotonic() < deadline:
                time.sleep(0.5)
                job = crm.get(f"/v1/jobs/{job['id']}").json()
        assert job["webhook"]["status"] == "delivered", job
        assert b"accept-encoding: identity" in seen[0].lower()
    finally:
        listener.close()


def test_upload_errors(sqlite_api, stereo_call, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not audio")
    corrupt = tmp_path / "broken.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 10)
    with sqlite_api.client("crm") as crm:
        assert upload(crm, text).status_code == 415
        refused = upload(crm, corrupt)
        assert refused.status_code == 422 and "not a readable audio file" in refused.json()["detail"]
        bad_meta = crm.post("/v1/interactions", files={"audio": ("a.wav", stereo_call.read_bytes())}, data={"metadata": "{"})
        assert bad_meta.status_code == 422 and bad_meta.json()["detail"][0]["loc"] == ["body", "metadata"]
        bad_field = upload(crm, stereo_call, {"channel": "fax"})
        assert bad_field.status_code == 422 and bad_field.json()["detail"][0]["loc"] == ["body", "metadata", "channel"]
        assert upload(crm, stereo_call, callback_url="ftp://x").status_code == 422
        for url in ("http://example.com:99999/", "http://example.com:port/", "http:///path", "http://[::1/hook", "http://[example.com]/hook"):  # these answered 500
            refused = upload(crm, stereo_call, callback_url=url)
            assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "callback_url"], (url, refused.text)
        refused = upload(crm, stereo_call, callback_url="https://example.com/" + "a" * 2000)
        assert refused.status_code == 422 and "at most 2,000 characters" in refused.json()["detail"][0]["msg"]
        assert crm.post("/v1/interactions", data={"metadata": "{}"}, files={"other": ("x", b"1")}).status_code == 422
        big = tmp_path / "big.wav"
        big.write_bytes(b"\0" * (sqlite_api.max_upload_mb * 1024 * 1024 + 10))
        assert upload(crm, big).status_code == 413
        assert crm.get("/v1/jobs/none-such").status_code == 404
    with sqlite_api.client("coach") as coach:
        assert upload(coach, stereo_call).status_code == 403


def test_kill_9_loses_no_job_and_runs_none_twice(tmp_path, stereo_call):
    from api_server import Server

    # 1. No workers: jobs wait in the queue; the queue's bound answers 429 with Retry-After.
    server = Server(tmp_path, env_extra={"QUALICALL_AUDIO_WORKERS": "0", "QUALICALL_QUEUE_SIZE": "2", "QUALICALL_WARM_UP": "0"})
    server.make_keys()
    server.start()
    with server.client("crm") as crm:
        jobs = [upload(crm, stereo_call, {"id": f"kill-{i}", "language": "fr"}).json()["id"] for i in range(2)]
        full = upload(crm, stereo_call, {"id": "kill-2"})
        assert full.status_code == 429 and int(full.headers["retry-after"]) > 0
    server.kill()
    # 2. One worker: killed while transcribing the first job.
    server.env_extra["QUALICALL_AUDIO_WORKERS"] = "1"
    server.start()
    with server.client("crm") as crm:
        wait_for(crm, jobs[0], ("running",), timeout=60)
    server.kill()
    # 3. Restarted: the interrupted job runs again, the others run; each interaction gets one result.
    server.start()
    with server.client("crm") as crm:
        finished = [wait_for(crm, job, ("succeeded", "failed")) for job in jobs]
        assert [j["status"] for j in finished] == ["succeeded"] * 2, [j["error"] for j in finished]
        assert [j["attempts"] for j in finished] == [2, 1]
        for i in range(2):
            assert [v["version"] for v in crm.get(f"/v1/interactions/kill-{i}").json()["versions"]] == [1]
        metrics = crm.get("/metrics").text
    server.stop()
    assert 'qualicall_jobs{status="succeeded"} 2' in metrics and "qualicall_job_queue_depth 0" in metrics
