"""`qualicall batch` on recordings (issue 7): two short espeak-ng stereo calls joined to their metadata by a
CSV manifest, and a broken recording beside them, transcribed by the base Whisper model and scored."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from audio_calls import make_call, skip_without_speech_stack

skip_without_speech_stack()

pytestmark = pytest.mark.slow  # a worker process loads Whisper

CALL_EN = [
    ("agent", "Hello, thank you for calling Northwind Energy, my name is Tom, how can I help you today?"),
    ("customer", "Hi, I have a problem with my internet connection since Monday."),
    ("agent", "I understand, let me check your account. Thank you for calling, goodbye."),
]
CALL_FR = [
    ("agent", "Bonjour, vous êtes bien chez Énergie Plus, je m'appelle Paul, que puis-je faire pour vous ?"),
    ("customer", "Bonjour monsieur, ma facture de mars est deux fois plus élevée que d'habitude."),
    ("agent", "Je comprends, je vais vérifier votre consommation. Merci de votre appel, au revoir."),
]


def test_audio_batch_from_a_csv_manifest(cli, tmp_path, monkeypatch):
    folder = tmp_path / "night"
    (folder / "audio").mkdir(parents=True)
    spoken_en = make_call(CALL_EN, folder / "audio" / "0001.wav", language="en")  # stereo, agent left, 8 kHz µ-law
    spoken_fr = make_call(CALL_FR, folder / "audio" / "0002.wav", language="fr")
    (folder / "audio" / "0003.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt not really audio")  # named by no row: scored alone
    whole = (folder / "audio" / "0001.wav").read_bytes()
    (folder / "audio" / "0004.wav").write_bytes(whole[: len(whole) * 6 // 10])  # a copy that stopped: scored alone, and said
    # a line left open: nobody speaks (scored alone, and said in the summary)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=stereo", "-t", "6", "-c:a", "pcm_mulaw",
                    str(folder / "audio" / "0005.wav")], check=True)
    (folder / "night.csv").write_text(
        "recording;id;agent_id;team;language;wait_time_s;csat\n"
        "audio/0001.wav;call-en;A-1;support;en;12;5\n"
        "audio/0002.wav;call-fr;A-2;facturation;fr;95;2\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.jsonl"
    # Stored as the API stores (redacted, the default), the folder named from where the batch runs: the recording was
    # « night/audio/0001.wav », and its redacted copy was made from the data folder's (every recording failed: "cannot
    # be decoded as audio").
    monkeypatch.chdir(tmp_path)
    done = cli("batch", "night", "--out", str(out), "--workers", "1", "--no-progress", "--store",
               env={"QUALICALL_DATA_DIR": str(tmp_path / "data"), "QUALICALL_DATABASE_URL": None})
    assert done.returncode == 1, done.stderr  # the broken recording
    results = {r["interaction_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(results) == {"call-en", "call-fr", "0004", "0005"}
    assert results["0005"]["quality_score"] is None
    assert results["0004"]["batch"]["truncated"] is True and results["call-en"]["batch"]["truncated"] is False
    english, french = results["call-en"], results["call-fr"]
    # The manifest's metadata and indicators joined to each recording, the measured indicators beside them.
    assert english["agent_id"] == "A-1" and french["team"] == "facturation"
    assert english["indicators"]["wait_time_s"] == {**english["indicators"]["wait_time_s"], "value": 12, "source": "input"}
    assert french["indicators"]["csat"]["value"] == 2
    assert english["indicators"]["silence_ratio"]["source"] == "measured"
    assert english["rubric"]["id"] == "default-en" and french["rubric"]["id"] == "default-fr"
    salutation = english["criteria"]["greeting"]["items"]["salutation"]
    assert salutation["status"] == "passed" and salutation["evidence"][0]["time"] < 3.0
    for result, spoken in ((english, spoken_en), (french, spoken_fr)):
        batch = result["batch"]
        assert abs(batch["audio_seconds"] - (spoken[-1].end + 0.6 + 1.0)) < 0.2  # the call's length: last turn, gap, tail
        # The key names the options (engine, model, language, agent channel: auto by default), the roles what auto decided.
        assert batch["asr"] == "faster-whisper-default-auto-auto" and batch["key"].endswith("/" + batch["asr"])
        assert (result["roles"]["method"], result["roles"]["agent"]) == ("channel-auto", "left"), result["roles"]
        assert isinstance(batch["asr_cut"], bool)
        assert batch["source"].startswith("night/night.csv:")
    # The broken file is reported with the decoder's reason; the summary gives the audio time done.
    failure = next(line for line in done.stderr.splitlines() if "failed:" in line)
    assert "0003.wav" in failure and "not a readable audio file" in failure
    assert "scored 4, skipped 0 already done, failed 1" in done.stderr and "stored 4 in the database" in done.stderr
    assert "qualicall: 1 recording(s) in which nobody speaks (silence, music, a line left open)" in done.stderr
    assert "qualicall: 1 recording(s) shorter than their header states" in done.stderr
    database = sqlite3.connect(tmp_path / "data" / "qualicall.db")
    stored = dict(database.execute("SELECT id, recording FROM interactions").fetchall())
    database.close()
    assert set(stored) == {"call-en", "call-fr", "0004", "0005"}
    for recording in stored.values():
        assert Path(recording).parent == tmp_path / "data" / "redacted-recordings" and Path(recording).stat().st_size > 10_000
    audio_line = next(line for line in done.stderr.splitlines() if line.startswith("qualicall: audio "))
    assert "real time (RTF" in audio_line
