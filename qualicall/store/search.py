"""Full-text search in stored transcripts, French and English, case and accents folded.

What is indexed is what is stored: each contact's turns as kept in `interactions.data` (redacted where the
deployment redacts, so a name or a number the redactor removed cannot be found), folded the way the checks
fold text (`qualicall.core.text.folded_words`: « Réclamation » and « reclamation » are one word, so are
« œuvre » and « oeuvre »), one row per contact in `transcript_search`.

The index is the database's own:
- SQLite: an FTS5 table over that row (`transcript_search_fts`, external content, kept by triggers);
- PostgreSQL: a GIN index on the stored column `body_vector`, generated as `to_tsvector('simple', body)` (no extension
  needed: the text is folded already; stored, so that checking a candidate does not compute it again: migration 0010).

A query matches the contacts whose transcript has every one of its words, each as a word or the start of one
(« reclam rembours » finds « réclamation … remboursement »). Made by migration 0007.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select, text
from sqlalchemy.orm import Session

from qualicall.core.text import folded_words
from qualicall.store.models import InteractionRow, TranscriptText

FTS_TABLE = "transcript_search_fts"
# Merges the FTS5 index into one segment: the words of deleted rows, left in older segments marked deleted, go.
MERGE_INDEX = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"
# PostgreSQL's generated tsvector column of transcript_search (migration 0010), unknown to the models.
VECTOR_COLUMN = "body_vector"
# Words a query keeps: more say nothing more and would only slow the index down.
MAX_WORDS = 12


def transcript_body(data: dict) -> str:
    """The folded words of an interaction's turns, in order."""
    return " ".join(folded_words(str(turn.get("text") or "")) for turn in (data.get("turns") or []) if isinstance(turn, dict))


def index_interaction(session: Session, row: InteractionRow) -> None:
    """Index (again) a stored interaction's transcript."""
    body = transcript_body(row.data or {})
    found = session.scalar(select(TranscriptText).where(TranscriptText.interaction_id == row.id))
    if found is None:
        session.add(TranscriptText(interaction_id=row.id, body=body))
    elif found.body != body:
        found.body = body


def query_words(query: str) -> list[str]:
    """The folded words of a search box's text (at most MAX_WORDS); none: no search."""
    return folded_words(query).split()[:MAX_WORDS]


def matching(words: list[str], dialect: str) -> ColumnElement[bool]:
    """A condition on InteractionRow: its transcript has every word (as a prefix of one of its words).
    `words` come from `query_words` (letters and digits only, nothing to quote). Correlated (EXISTS), so that
    SQLite walks the contacts newest first and stops at the list's limit: a word in 90 000 of 100 000 contacts
    took 0.8 s as `id IN (…)` (every match looked up, then sorted), 0.05 s so; a word in none, 0.08 s."""
    if dialect == "sqlite":
        found = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :search_query").bindparams(
            search_query=" AND ".join(f'"{word}"*' for word in words)
        )
        condition = TranscriptText.id.in_(found)
    else:
        condition = text(f"transcript_search.{VECTOR_COLUMN} @@ to_tsquery('simple', :search_query)").bindparams(
            search_query=" & ".join(f"{word}:*" for word in words)
        )
    return exists().where(TranscriptText.interaction_id == InteractionRow.id, condition)


def outside_the_models(name: str | None, type_: str) -> bool:
    """The index's own objects, made by the migration and unknown to the models (Alembic's comparison skips them)."""
    return (type_ == "table" and bool(name) and name.startswith(FTS_TABLE) or type_ == "index" and name == "ix_transcript_search_body"
            or type_ == "column" and name == VECTOR_COLUMN)
