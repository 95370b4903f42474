"""Agreement between the machine's verdicts and the coaches' (pure functions).

A coach's review of an item is their verdict on it, whether it confirms the
automatic status or overrides it. Per item we count the pairs (automatic,
coach), and from them the accuracy (share of pairs that agree), Cohen's kappa
(agreement corrected for chance) and the list of disagreements to look at.
This is the figure that tells a quality manager whether to trust the machine.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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
