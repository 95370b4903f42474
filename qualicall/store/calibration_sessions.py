"""Calibration sessions: a lead has several coaches score the same calls blind (AFNOR-style double marking).

A lead (an admin) makes a session: a name, the coaches taking part (two at least: agreement needs a pair),
and its calls, chosen either by a seeded random sample of N calls per agent and ISO week over a date range
(`sample_calls`: the same seed on the same contacts gives the same calls, so the choice can be checked), or
as the queue's filters show them (the pages pass their ids). Each call keeps the machine's result of record
at that moment: every coach's verdicts are compared with that one.

Each coach then scores every item of each call (`save_verdicts`); their verdicts are theirs alone, per coach,
and never the call's verdict of record (the reviews are: `qualicall.store.repository`). A closed session takes
no more verdicts. Comments and the session's name arrive here already redacted (the service's redactor, as the
reviews' comments are): this module stores what it is given.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualicall.core.errors import ConflictError, InputError, NotFoundError
from qualicall.core.interaction import text_problem
from qualicall.store.models import (CalibrationCall, CalibrationCoach, CalibrationSession, CalibrationVerdict, InteractionRow,
                                    ResultItemRow, User, utcnow)
from qualicall.store.repository import Reviewer, as_utc, machine_result

STATUSES = ("passed", "failed", "not_applicable")
NAME_MAX_CHARS = 200
MAX_CALLS = 500  # a session is scored by hand, every item of every call, by each coach
MAX_PER_AGENT_WEEK = 50
COACH_ROLES = ("coach", "admin")


class TooManyCalls(InputError):
    """More calls than a session may hold."""


class NoCalls(InputError):
    """No call to put in the session."""


class CoachesNeeded(InputError):
    """Fewer than two coaches, or an account that is not a coach's."""


class MissingVerdicts(InputError):
    """A coach's scoring of a call leaves items without a verdict (or gives one to an item the call does not have)."""


class SessionClosed(ConflictError):
    """The session takes no more verdicts."""


# --- choosing the calls -----------------------------------------------------

def iso_week(started_at: str | None, contact_time: datetime) -> str:
    """The ISO week of a contact ("2026-W45"), on the day as its own clock gave it (started_at's offset), as the trends
    count weeks; the UTC day when it has no start time."""
    moment = datetime.fromisoformat(started_at) if started_at else as_utc(contact_time)
    year, week, _ = moment.date().isocalendar()
    return f"{year}-W{week:02d}"


def sample_calls(session: Session, since: datetime, until: datetime, per_agent_week: int, seed: int) -> list[str]:
    """A random sample of at most `per_agent_week` scored calls per agent and ISO week, among the contacts from
    `since` (included) to `until` (excluded) but abandoned ones (no conversation: each coach gave their items « sans
    objet », which padded the session's agreement — a coach's review): in agent, week, call id order. Each (agent, week) draws with a generator
    seeded by (seed, agent, week): the same seed gives the same calls, and contacts added to another agent or week
    leave this one's draw as it was."""
    if not 1 <= per_agent_week <= MAX_PER_AGENT_WEEK:
        raise InputError(f"calls per agent and week: from 1 to {MAX_PER_AGENT_WEEK}")
    if until <= since:
        raise InputError("the date range is empty: the end comes before the start")
    query = (select(InteractionRow.id, InteractionRow.agent_id, InteractionRow.started_at, InteractionRow.contact_time)
             .where(InteractionRow.latest_result_id.is_not(None), InteractionRow.agent_id.is_not(None),
                    InteractionRow.contact_time >= as_utc(since), InteractionRow.contact_time < as_utc(until),
                    func.coalesce(InteractionRow.data["abandoned"].as_boolean(), False).is_(False)))
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for interaction_id, agent_id, started_at, moment in session.execute(query):
        groups[(agent_id, iso_week(started_at, moment))].append(interaction_id)
    chosen = []
    for (agent_id, week), ids in sorted(groups.items()):
        draw = random.Random(f"{seed}|{agent_id}|{week}")
        chosen += sorted(draw.sample(sorted(ids), min(per_agent_week, len(ids))))
    return chosen


# --- sessions -----------------------------------------------------------------

def coach_accounts(session: Session) -> list[User]:
    """The accounts that may take part in a session: active coaches' and admins', by name."""
    return list(session.scalars(select(User).where(User.role.in_(COACH_ROLES), User.disabled.is_(False)).order_by(User.username)))


def create_session(session: Session, name: str, coach_user_ids: list[int], interaction_ids: list[str], sample: dict[str, Any],
                   creator: Reviewer) -> CalibrationSession:
    """A new open session. InputError for a name that is empty, too long or not text, fewer than two coaches (or an
    account that is not a coach's or an admin's), no call, more than MAX_CALLS, or an unknown or unscored call."""
    name = " ".join(name.split())
    if not name:
        raise InputError("a session needs a name")
    if len(name) > NAME_MAX_CHARS:
        raise InputError(f"a session's name has at most {NAME_MAX_CHARS} characters")
    if (problem := text_problem(name)) is not None:
        raise InputError(f"name: {problem}")
    wanted = sorted(set(coach_user_ids))
    users = list(session.scalars(select(User).where(User.id.in_(wanted), User.role.in_(COACH_ROLES), User.disabled.is_(False))))
    if len(users) != len(wanted):
        raise CoachesNeeded("the coaches taking part are coaches' or admins' active accounts")
    if len(users) < 2:
        raise CoachesNeeded("a session needs two coaches at least: agreement is between coaches")
    ids = list(dict.fromkeys(interaction_ids))
    if not ids:
        raise NoCalls("a session needs calls: no call matches")
    if len(ids) > MAX_CALLS:
        raise TooManyCalls(f"{len(ids)} calls: a session holds at most {MAX_CALLS}")
    made = CalibrationSession(name=name, sample=sample, created_by=creator.name, created_by_user_id=creator.user_id,
                              created_by_key_id=creator.api_key_id,
                              coaches=[CalibrationCoach(user_id=user.id, username=user.username) for user in users])
    for position, interaction_id in enumerate(ids):
        row = session.get(InteractionRow, interaction_id)
        machine = machine_result(session, row) if row is not None else None
        if machine is None:
            raise NotFoundError(f"no scored call {interaction_id!r}")
        made.calls.append(CalibrationCall(interaction_id=interaction_id, result_id=machine.id, position=position))
    session.add(made)
    session.flush()
    return made


def get_session(session: Session, session_id: int) -> CalibrationSession:
    found = session.get(CalibrationSession, session_id)
    if found is None:
        raise NotFoundError(f"no calibration session {session_id}")
    return found


def list_sessions(session: Session) -> list[CalibrationSession]:
    """Every session, open ones first, newest first."""
    return list(session.scalars(select(CalibrationSession).order_by(CalibrationSession.closed_at.is_not(None),
                                                                    CalibrationSession.id.desc())))


def close_session(session: Session, session_id: int) -> CalibrationSession:
    found = get_session(session, session_id)
    if found.closed_at is None:
        found.closed_at = utcnow()
    return found


def coach_in(found: CalibrationSession, user_id: int | None) -> CalibrationCoach | None:
    """The session's coach for this account, or None when it does not take part."""
    return next((coach for coach in found.coaches if user_id is not None and coach.user_id == user_id), None)


def scored_calls(session: Session, session_id: int) -> dict[int, set[str]]:
    """Per coach (CalibrationCoach.id): the ids of the calls they scored."""
    query = (select(CalibrationVerdict.coach_id, CalibrationCall.interaction_id).join(CalibrationCall, CalibrationCall.id == CalibrationVerdict.call_id)
             .where(CalibrationCall.session_id == session_id).distinct())
    done: dict[int, set[str]] = defaultdict(set)
    for coach_id, interaction_id in session.execute(query):
        done[coach_id].add(interaction_id)
    return dict(done)


def progress(found: CalibrationSession, done: dict[int, set[str]]) -> list[tuple[str, int]]:
    """Each coach of the session, by name, and how many of its calls they scored (`done`: `scored_calls`)."""
    return [(coach.username, len(done.get(coach.id, ()))) for coach in found.coaches]


@dataclass
class Assignment:
    """An open session a coach takes part in, and how far they got."""

    session: CalibrationSession
    calls: list[str]  # in the order given
    done: set[str]

    @property
    def next_call(self) -> str | None:
        return next((call for call in self.calls if call not in self.done), None)


def assignments(session: Session, user_id: int) -> list[Assignment]:
    """The open sessions this account takes part in, newest first."""
    query = (select(CalibrationSession, CalibrationCoach).join(CalibrationCoach, CalibrationCoach.session_id == CalibrationSession.id)
             .where(CalibrationCoach.user_id == user_id, CalibrationSession.closed_at.is_(None)).order_by(CalibrationSession.id.desc()))
    found = []
    for cal_session, coach in session.execute(query):
        done = scored_calls(session, cal_session.id).get(coach.id, set())
        found.append(Assignment(cal_session, [call.interaction_id for call in cal_session.calls], done))
    return found


def closed_sessions_of(session: Session, user_id: int, limit: int = 20) -> list[CalibrationSession]:
    """The closed sessions this account took part in, last closed first: where a coach reads the results (nothing led
    there once a session closed)."""
    query = (select(CalibrationSession).join(CalibrationCoach, CalibrationCoach.session_id == CalibrationSession.id)
             .where(CalibrationCoach.user_id == user_id, CalibrationSession.closed_at.is_not(None))
             .order_by(CalibrationSession.closed_at.desc(), CalibrationSession.id.desc()).limit(limit))
    return list(session.scalars(query))


def call_of(found: CalibrationSession, interaction_id: str) -> CalibrationCall:
    call = next((call for call in found.calls if call.interaction_id == interaction_id), None)
    if call is None:
        raise NotFoundError(f"no call {interaction_id!r} in calibration session {found.id}")
    return call


def machine_items(session: Session, call: CalibrationCall) -> dict[str, str]:
    """The machine's status of each item ("criterion.item") of the result the session's call is compared with."""
    query = select(ResultItemRow.criterion_id, ResultItemRow.item_id, ResultItemRow.status).where(ResultItemRow.result_id == call.result_id)
    return {f"{criterion_id}.{item_id}": status for criterion_id, item_id, status in session.execute(query)}


def coach_verdicts(session: Session, call: CalibrationCall, coach: CalibrationCoach) -> dict[str, CalibrationVerdict]:
    """What this coach gave each item of this call ("criterion.item" → verdict)."""
    query = select(CalibrationVerdict).where(CalibrationVerdict.call_id == call.id, CalibrationVerdict.coach_id == coach.id)
    return {f"{v.criterion_id}.{v.item_id}": v for v in session.scalars(query)}


def save_verdicts(session: Session, found: CalibrationSession, coach: CalibrationCoach, interaction_id: str,
                  verdicts: dict[str, tuple[str, str | None]]) -> None:
    """A coach's verdict on every item of a call of the session ("criterion.item" → (status, comment)); a call
    scored again takes the new verdicts. SessionClosed for a closed session, MissingVerdicts unless every item of the
    call's result has one of STATUSES (and no other item is given), InputError for a comment that is not text."""
    if found.closed_at is not None:
        raise SessionClosed(f"calibration session {found.id} is closed")
    call = call_of(found, interaction_id)
    items = machine_items(session, call)
    missing = [key for key in items if (verdicts.get(key) or ("",))[0] not in STATUSES]
    if missing or set(verdicts) - set(items):
        raise MissingVerdicts(f"every item needs a verdict: {', '.join(missing or sorted(set(verdicts) - set(items)))}")
    for _, comment in verdicts.values():
        if comment and (problem := text_problem(comment)) is not None:
            raise InputError(f"comment: {problem}")
    given = coach_verdicts(session, call, coach)
    for key, (status, comment) in verdicts.items():
        verdict = given.get(key)
        if verdict is None:
            criterion_id, item_id = key.split(".", 1)
            session.add(CalibrationVerdict(call_id=call.id, coach_id=coach.id, criterion_id=criterion_id, item_id=item_id,
                                           status=status, comment=comment or None))
        else:
            verdict.status, verdict.comment = status, comment or None
    session.flush()


@dataclass(frozen=True)
class SessionVerdict:
    """One coach's verdict on one item of one call, beside the machine's."""

    interaction_id: str
    item: str  # "criterion.item"
    coach: str  # the coach's name
    status: str
    machine: str | None
    comment: str | None


def session_verdicts(session: Session, session_id: int) -> list[SessionVerdict]:
    """Every verdict of the session, with the machine's status of the item in the call's compared result."""
    query = (select(CalibrationCall.interaction_id, CalibrationVerdict, CalibrationCoach.username, ResultItemRow.status)
             .join(CalibrationCall, CalibrationCall.id == CalibrationVerdict.call_id)
             .join(CalibrationCoach, CalibrationCoach.id == CalibrationVerdict.coach_id)
             .outerjoin(ResultItemRow, (ResultItemRow.result_id == CalibrationCall.result_id) & (ResultItemRow.criterion_id == CalibrationVerdict.criterion_id)
                        & (ResultItemRow.item_id == CalibrationVerdict.item_id))
             .where(CalibrationCall.session_id == session_id)
             .order_by(CalibrationCall.position, CalibrationVerdict.criterion_id, CalibrationVerdict.item_id, CalibrationCoach.username))
    return [SessionVerdict(interaction_id, f"{v.criterion_id}.{v.item_id}", coach, v.status, machine, v.comment)
            for interaction_id, v, coach, machine in session.execute(query)]

