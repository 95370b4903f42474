"""Agreement between the machine's verdicts and the coaches' (pure functions).

A coach's review of an item is their verdict on it, whether it confirms the
automatic status or overrides it. Per item we count the pairs (automatic,
coach), and from them the accuracy (share of pairs that agree), Cohen's kappa
(agreement corrected for chance) and the list of disagreements to look at.
This is the figure that tells a quality manager whether to trust the machine.

A calibration session (several coaches scoring the same calls blind, `qualicall.store.calibration_sessions`)
gives, per item, the coaches' agreement with each other and each coach's with the machine (`session_agreement`).
Between coaches: the mean of Cohen's kappa over every pair of coaches, each pair on the calls both scored
(Light's kappa: R. J. Light, "Measures of response agreement for qualitative data", Psychological Bulletin 76(5),
1971, pp. 365-377; see also K. A. Hallgren, "Computing inter-rater reliability for observational data",
Tutorials in Quantitative Methods for Psychology 8(1), 2012, pp. 23-34). With two coaches it is Cohen's kappa
itself (J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological Measurement
20(1), 1960, pp. 37-46). Unlike Fleiss' kappa it needs no call scored by every coach: a coach who has not
finished leaves out only their own pairs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

STATUSES = ("passed", "failed", "not_applicable")


@dataclass(frozen=True)
class ReviewedItem:
    """One item of one interaction as the machine scored it and as a coach judged it."""

    interaction_id: str
    item: str  # "criterion.item"
    auto: str
    coach: str
    reviewer: str | None = None
    comment: str | None = None
    at: str | None = None


@dataclass
class ItemAgreement:
    item: str
    reviews: int = 0
    agreements: int = 0
    # (automatic status, coach status) -> count
    confusion: Counter = field(default_factory=Counter)
    disagreements: list[ReviewedItem] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return self.agreements / self.reviews if self.reviews else None

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.confusion)


def cohen_kappa(confusion: Counter | dict[tuple[str, str], int]) -> float | None:
    """Cohen's kappa of a confusion table {(rater A, rater B): count}.

    `None` when there is nothing to compare. When chance agreement is total
    (both raters always gave the same single label) kappa is undefined; we
    return 1.0 if they agreed on every pair, as a coach would read it.
    """
    total = sum(confusion.values())
    if total == 0:
        return None
    observed = sum(n for (a, b), n in confusion.items() if a == b) / total
    first: Counter = Counter()
    second: Counter = Counter()
    for (a, b), n in confusion.items():
        first[a] += n
        second[b] += n
    expected = sum(first[label] * second[label] for label in first) / (total * total)
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def calibrate(pairs: Iterable[ReviewedItem]) -> list[ItemAgreement]:
    """Per-item agreement, items in the order they were first met."""
    by_item: dict[str, ItemAgreement] = {}
    for pair in pairs:
        agreement = by_item.setdefault(pair.item, ItemAgreement(pair.item))
        agreement.reviews += 1
        agreement.confusion[(pair.auto, pair.coach)] += 1
        if pair.auto == pair.coach:
            agreement.agreements += 1
        else:
            agreement.disagreements.append(pair)
    return list(by_item.values())


def overall(agreements: list[ItemAgreement]) -> ItemAgreement:
    """All items pooled: the headline figure."""
    pooled = ItemAgreement("*")
    for agreement in agreements:
        pooled.reviews += agreement.reviews
        pooled.agreements += agreement.agreements
        pooled.confusion.update(agreement.confusion)
        pooled.disagreements.extend(agreement.disagreements)
    return pooled


def latest_reviews(reviews: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """The last review of each (interaction, item): a coach who changes their mind counts once."""
    latest: dict[tuple[str, str], dict] = {}
    for review in sorted(reviews, key=lambda r: (str(r.get("created_at") or ""), r.get("id") or 0)):
        latest[(review["interaction_id"], review["item"])] = review
    return latest


def group_by_item(items: Iterable[ItemAgreement]) -> dict[str, list[ItemAgreement]]:
    """Agreements grouped by criterion (the part of the item key before the dot)."""
    groups: dict[str, list[ItemAgreement]] = defaultdict(list)
    for agreement in items:
        groups[agreement.item.split(".", 1)[0]].append(agreement)
    return dict(groups)


def mean_pairwise_kappa(pairs: dict[tuple[str, str], Counter]) -> float | None:
    """Light's kappa: the mean of Cohen's kappa over the pairs of raters that have something to compare; None when none has."""
    kappas = [kappa for kappa in (cohen_kappa(confusion) for confusion in pairs.values()) if kappa is not None]
    return sum(kappas) / len(kappas) if kappas else None


@dataclass
class SessionDisagreement:
    """A call on which the coaches of a session did not all give an item the same verdict."""

    interaction_id: str
    item: str
    verdicts: dict[str, str]  # coach → status
    machine: str | None
    comments: dict[str, str] = field(default_factory=dict)  # coach → their comment, where they wrote one


@dataclass
class SessionItem:
    """One item (or, `item` "*", every item pooled) over a session's calls."""

    item: str
    compared: int = 0  # calls that two coaches or more scored
    unanimous: int = 0  # of those, the calls on which they all gave the same verdict
    counts: Counter = field(default_factory=Counter)  # status → coaches' verdicts
    # (coach, coach) → confusion {(first's status, second's status): calls}, coaches in name order
    pairs: dict[tuple[str, str], Counter] = field(default_factory=dict)
    # coach → confusion {(machine's status, coach's status): calls}
    machine: dict[str, Counter] = field(default_factory=dict)
    disagreements: list[SessionDisagreement] = field(default_factory=list)
    # calls on which every coach (two or more) gave one verdict and the machine another: what the machine likely gets wrong
    against_machine: list[SessionDisagreement] = field(default_factory=list)

    @property
    def kappa(self) -> float | None:
        """Between the coaches: Light's kappa (see the module's docstring)."""
        return mean_pairwise_kappa(self.pairs)

    def machine_kappa(self, coach: str) -> float | None:
        """Cohen's kappa of the machine and this coach."""
        return cohen_kappa(self.machine.get(coach, Counter()))

    def scored_by(self, coach: str) -> int:
        return sum(self.machine.get(coach, Counter()).values())

    def agrees_with_machine(self, coach: str) -> int:
        """The calls on which this coach gave the machine's verdict: beside kappa, which is 0 (or none) when either side
        gives one verdict throughout (5 agreements of 6 read « 0,00 » in red)."""
        return sum(n for (auto, status), n in self.machine.get(coach, Counter()).items() if auto == status)

    def absorb(self, other: "SessionItem") -> None:
        self.compared += other.compared
        self.unanimous += other.unanimous
        self.counts.update(other.counts)
        for pair, confusion in other.pairs.items():
            self.pairs.setdefault(pair, Counter()).update(confusion)
        for coach, confusion in other.machine.items():
            self.machine.setdefault(coach, Counter()).update(confusion)
        self.disagreements += other.disagreements
        self.against_machine += other.against_machine


def session_agreement(verdicts: Iterable[Any], coaches: list[str], order: Any) -> list[SessionItem]:
    """Per item of a session (sorted by `order`, the grid's): `verdicts` are the coaches' verdicts, each with its
    `interaction_id`, `item`, `coach`, `status`, the `machine`'s status and, if it has one, the coach's `comment`. Every pair of `coaches` is counted, a
    pair that shares no call with an empty confusion (and no kappa)."""
    by_call: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))  # item → call → coach → status
    machine: dict[tuple[str, str], str | None] = {}
    comments: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for verdict in verdicts:
        by_call[verdict.item][verdict.interaction_id][verdict.coach] = verdict.status
        machine[(verdict.item, verdict.interaction_id)] = verdict.machine
        if getattr(verdict, "comment", None):
            comments[(verdict.item, verdict.interaction_id)][verdict.coach] = verdict.comment
    ordered = sorted(coaches)
    found = []
    for item in sorted(by_call, key=order):
        agreement = SessionItem(item, pairs={pair: Counter() for pair in combinations(ordered, 2)},
                                machine={coach: Counter() for coach in ordered})
        for interaction_id, given in by_call[item].items():
            auto = machine[(item, interaction_id)]
            agreement.counts.update(given.values())
            for coach, status in given.items():
                if auto is not None:
                    agreement.machine.setdefault(coach, Counter())[(auto, status)] += 1
            for first, second in combinations(sorted(given), 2):
                agreement.pairs.setdefault((first, second), Counter())[(given[first], given[second])] += 1
            if len(given) >= 2:
                agreement.compared += 1
                if len(set(given.values())) == 1:
                    agreement.unanimous += 1
                    if auto is not None and auto not in given.values():
                        agreement.against_machine.append(SessionDisagreement(interaction_id, item, dict(sorted(given.items())), auto,
                                                                             comments.get((item, interaction_id), {})))
                else:
                    agreement.disagreements.append(SessionDisagreement(interaction_id, item, dict(sorted(given.items())), auto,
                                                                          comments.get((item, interaction_id), {})))
        found.append(agreement)
    return found


def pooled_session(items: list[SessionItem], coaches: list[str]) -> SessionItem:
    """Every item pooled: the session's headline figures."""
    ordered = sorted(coaches)
    pooled = SessionItem("*", pairs={pair: Counter() for pair in combinations(ordered, 2)}, machine={coach: Counter() for coach in ordered})
    for agreement in items:
        pooled.absorb(agreement)
    return pooled
