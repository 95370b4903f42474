"""Nothing planted leaves in clear: every output path on main is grepped for the planted values."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from privacy_planted import leaks, planted_interaction


@pytest.fixture(scope="module")
def planted_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("privacy") / "call.json"
    path.write_text(json.dumps(planted_interaction(), ensure_ascii=False), encoding="utf-8")
    return path


def test_score_output_has_no_clear_value_and_agent_name_still_passes(planted_file, tmp_path, cli):
    done = cli("score", str(planted_file), "--out", str(tmp_path / "result.json"))
    assert done.returncode == 0, done.stderr
    output = (tmp_path / "result.json").read_text(encoding="utf-8")
    assert leaks(output) == []
    result = json.loads(output)
    agent_name = result["criteria"]["greeting"]["items"]["agent_name"]
    assert agent_name["status"] == "passed"
    (evidence,) = agent_name["evidence"]
    assert evidence["text"] == "je m'appelle [NAME]"
    # The evidence span points at the same words in the redacted transcript.
    done = cli("redact", str(planted_file), "--out", str(tmp_path / "redacted.jsonl"))
    assert done.returncode == 0, done.stderr
    output = (tmp_path / "redacted.jsonl").read_text(encoding="utf-8")
    assert leaks(output) == []
    interaction = json.loads(output)
    turn = interaction["turns"][evidence["turn"]]["text"]
    assert turn[evidence["start_char"] : evidence["end_char"]] == evidence["text"]
    assert interaction["customer_name"] == "[NAME]"
    for turn in interaction["turns"]:
        for placed in turn.get("redactions", []):
            assert turn["text"][placed["start_char"] : placed["end_char"]] == f"[{placed['type']}]"
    for fmt in ("table", "csv"):
        done = cli("score", str(planted_file), "--format", fmt, "--out", str(tmp_path / f"result.{fmt}"))
        assert done.returncode == 0 and leaks((tmp_path / f"result.{fmt}").read_text(encoding="utf-8")) == [], fmt
    # Reports made from the results (exports).
    for fmt in ("csv", "html"):
        report = tmp_path / f"report.{fmt}"
        done = cli("report", str(tmp_path / "result.json"), "--by", "agent", "--format", fmt, "--out", str(report))
        assert done.returncode == 0, done.stderr
        assert leaks(report.read_text(encoding="utf-8")) == [], fmt
    # Redaction off is a deployment's explicit choice; the command line says so.
    clear = cli("score", str(planted_file), "--no-redact")
    assert clear.returncode == 0 and "Julie" in clear.stdout


@pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None, reason="needs espeak-ng and ffmpeg")
def test_redact_audio_blanks_the_words_times(tmp_path, cli):
    text = "mon numéro est le zéro six douze trente-quatre cinquante-six soixante-dix-huit"
    wav = tmp_path / "call.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(wav), text], check=True)
    times = [0.0, 0.3, 0.8, 1.0, 1.1, 1.5, 1.8, 2.2, 2.8, 3.2, 3.7]
    words = [{"word": " " + w, "start": s, "end": e} for w, s, e in zip(text.split(), times, times[1:])]
    interaction = {
        "id": "audio-1", "language": "fr", "recording": wav.name,
        "turns": [{"speaker": "customer", "text": text, "start": 0.0, "end": 3.7, "words": words}],
    }
    source = tmp_path / "call.json"
    source.write_text(json.dumps(interaction), encoding="utf-8")
    done = cli("redact", str(source), "--redact-audio", "--audio-mode", "tone", "--out", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0, done.stderr
    out = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    copy = tmp_path / "call.redacted.wav"
    assert out["recording"] == str(copy) and copy.exists()
    assert [w["word"].strip() for w in out["turns"][0]["words"]] == ["mon", "numéro", "est", "le", "[PHONE]"]
    assert out["turns"][0]["words"][-1]["end"] == 3.7

    def decode(path):
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, dtype=np.float32)

    original, blanked = decode(wav), decode(copy)
    rate = 22050  # espeak-ng's rate
    assert len(original) == len(blanked)
    span = blanked[int(1.2 * rate) : int(3.6 * rate)]
    spectrum = np.abs(np.fft.rfft(span))
    assert abs(np.argmax(spectrum) * rate / len(span) - 1000) < 5
    assert not np.allclose(original[int(1.2 * rate) : int(3.6 * rate)], span, atol=1e-2)
    # Before the redacted words (less the margin), the speech is untouched.
    assert np.allclose(original[: int(1.0 * rate)], blanked[: int(1.0 * rate)], atol=1e-3)


def test_no_network_at_start_up(monkeypatch):
    """Presidio's e-mail recognizer asks tldextract, whose default extractor fetches the public suffix list: none is attempted."""
    import socket

    import tldextract.tldextract

    from qualicall.privacy import Redactor
    from qualicall.privacy.redactor import analyzer

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network used")

    # A fresh default extractor (the one that fetches) and a fresh analyzer: start-up as in a new process.
    monkeypatch.setattr(tldextract.tldextract, "TLD_EXTRACTOR", tldextract.tldextract.TLDExtract(cache_dir=None))
    for name in ("getaddrinfo", "create_connection"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    analyzer.cache_clear()
    redacted = Redactor().redact("écrivez à jean.dupont@example.fr ou au 06 12 34 56 78", "fr").text
    assert attempts == []
    assert redacted == "écrivez à [EMAIL] ou au [PHONE]"
