"""Recordings to interactions: decoding (`decode`), speech recognition per channel or
speaker, roles, measured indicators (`pipeline`). Mono speaker separation lives in
`diarize` (`separate_speakers(samples, speech_spans) -> Diarization`).

Everything here works on float32 mono 16 kHz samples (`qualicall.models.asr.SAMPLE_RATE`).
"""
