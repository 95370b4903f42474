"""The service layer: reading sources (files, recordings) and scoring them — score, redact, store when asked.

Used alike by the CLI, the batch workers and the API; it sits above the scorer,
audio, privacy and store, and below those three entry points.
"""
