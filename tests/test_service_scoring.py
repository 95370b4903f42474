"""The scoring service (qualicall.service.scoring): what it keeps of a recording a client referenced."""

from __future__ import annotations

import pytest
from conftest import make_interaction

from qualicall.service.recordings import RecordingRefused, RecordingsRoot
from qualicall.service.scoring import ScoringService


def test_a_referenced_recording_that_is_no_audio_is_refused_not_dropped(tmp_path, monkeypatch):
    """(A text file named call.wav was stored without its recording, with a 201 and a line in the server's log only.)"""
    monkeypatch.setenv("QUALICALL_REDACT", "on")
    root = tmp_path / "recordings"
    root.mkdir()
    (root / "call.wav").write_text("not audio", encoding="utf-8")
    service = ScoringService(None, True, recordings_dir=tmp_path / "redacted-recordings", concurrency=1,
                             recordings_root=RecordingsRoot(root))
    assert service.redactor is not None
    with pytest.raises(RecordingRefused) as refused:
        service.score(make_interaction([("agent", "Bonjour.")], recording="call.wav"))
    assert str(refused.value).startswith("recording: call.wav cannot be decoded as audio (") and str(tmp_path) not in str(refused.value)


def test_a_server_without_a_decoder_does_not_blame_the_clients_recording(tmp_path, monkeypatch):
    """(A fresh-eyes review: with ffprobe missing, every referenced recording was refused as « cannot be decoded ».)"""
    monkeypatch.setenv("QUALICALL_REDACT", "on")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    root = tmp_path / "recordings"
    root.mkdir()
    (root / "call.wav").write_bytes(b"RIFF")
    service = ScoringService(None, True, recordings_dir=tmp_path / "redacted-recordings", concurrency=1,
                             recordings_root=RecordingsRoot(root))
    stored, _ = service.score(make_interaction([("agent", "Bonjour.")], recording="call.wav"))
    assert stored.recording is None  # not kept (it cannot be redacted here), and the contact scored
