"""Redaction with Presidio: find personal data in a text, replace it with typed placeholders.

One Presidio analyzer per language, on the project's own spaCy pipeline
(loaded once, shared with the scorer). NER runs only on turns that have
capitals where a name could be; every other turn gets spaCy's tokenizer
only, which is what keeps redaction cheap next to scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from qualicall.core.text import PLACEHOLDER, placeholder
from qualicall.models.lifetime import long_lived
from qualicall.privacy.presidio_import import import_presidio
from qualicall.privacy.settings import PrivacyConfigError, RedactionSettings

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, RecognizerResult

# Presidio's entity names for what its own recognizers find, as our types.
_PRESIDIO_TYPES = {"CREDIT_CARD": "CARD", "IBAN_CODE": "IBAN", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "PERSON": "NAME"}
# A capitalised word where a sentence does not start: a name may be there.
_CAPITALISED = re.compile(r"(?<![.!?…]\s)(?<![.!?…])(?<!^)\b[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ]+")


def _offline_tldextract() -> None:
    """Presidio's e-mail recognizer asks tldextract, which fetches the public suffix list on first use: use its bundled copy."""
    import tldextract.tldextract as module

    if module.TLD_EXTRACTOR.suffix_list_urls:
        module.TLD_EXTRACTOR = module.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


_DIGIT = re.compile(r"\d")
_AT = re.compile(r"@")


def _written(cls: type, needs: re.Pattern[str]) -> type:
    """Presidio's recognizer for written values, skipped on texts that cannot hold one (no digit, no @)."""

    class Written(cls):
        def analyze(self, text, entities, nlp_artifacts=None, *args, **kwargs):  # noqa: ANN001
            return super().analyze(text, entities, nlp_artifacts, *args, **kwargs) if needs.search(text) else []

    Written.__name__ = cls.__name__
    return Written


def may_hold_name(text: str) -> bool:
    """Worth running the NER: a capitalised first name where no sentence starts (« …, Claire Fontaine »)."""
    from qualicall.models.names import is_first_name

    if text == text.upper():
        return False
    return any(is_first_name(m.group()) for m in _CAPITALISED.finditer(text))


@lru_cache(maxsize=2)
@long_lived()
def analyzer(language: str) -> "AnalyzerEngine":
    _offline_tldextract()
    import_presidio()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        SpacyRecognizer,
    )

    from qualicall.models.nlp import load_nlp
    from qualicall.privacy import recognizers as ours
    from qualicall.privacy.names import IntroducedNameRecognizer

    # Phone numbers: DigitRunRecognizer checks written and spoken ones against
    # the numbering plans (phonenumbers), which Presidio's PhoneRecognizer
    # would scan again, slowly, on every text with a digit.
    # Only person names from the NER: places and organisations are not personal data.
    config = NerModelConfiguration(labels_to_ignore=["LOC", "GPE", "ORG", "MISC", "NORP", "FAC", "CARDINAL", "DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"])
    engine = SpacyNlpEngine(models=[{"lang_code": language, "model_name": "qualicall"}], ner_model_configuration=config)
    engine.nlp = {language: load_nlp(language)}
    registry = RecognizerRegistry(supported_languages=[language])
    for recognizer in (
        _written(CreditCardRecognizer, _DIGIT)(supported_language=language),
        _written(IbanRecognizer, _DIGIT)(supported_language=language),
        _written(EmailRecognizer, _AT)(supported_language=language),
        SpacyRecognizer(supported_language=language, supported_entities=["PERSON"]),
        ours.DigitRunRecognizer(language),
        ours.SpelledIbanRecognizer(language),
        ours.SpokenEmailRecognizer(language),
        ours.AddressRecognizer(language),
        ours.UkIdentifierRecognizer(language),
        ours.AnnouncedDateRecognizer(language),
        ours.HealthRecognizer(language),
        ours.SpelledNameRecognizer(language),
        IntroducedNameRecognizer(language),
    ):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=[language])


@dataclass(frozen=True)
class Redaction:
    """One redacted span: its type, where it was in the clear text and where its placeholder is."""

    type: str
    start: int
    end: int
    text: str
    new_start: int
    new_end: int


@dataclass
class RedactedText:
    """A redacted text and how to map offsets of the clear text onto it."""

    text: str
    redactions: list[Redaction] = field(default_factory=list)

    def map(self, position: int, end: bool = False) -> int:
        """A clear-text offset in the redacted text; inside a redaction, its placeholder's edge."""
        shift = 0
        for r in self.redactions:
            if position <= r.start:
                break
            if position < r.end:
                return r.new_end if end else r.new_start
            shift = r.new_end - r.end
        return position + shift

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        new_start = self.map(start)
        return new_start, max(new_start, self.map(end, end=True))


class Redactor:
    """Finds and replaces personal data in texts of one language or the other."""

    def __init__(self, settings: RedactionSettings | None = None) -> None:
        self.settings = settings or RedactionSettings.load()

    def find(self, text: str, language: str, context: str = "", known_names: tuple[str, ...] = ()) -> list[tuple[str, int, int]]:
        """(type, start, end) of each span to redact, merged so that none overlap.

        `context` is the text said just before (the previous turn): a card
        number asked for there makes the digits here a card number.
        """
        if not text.strip() or not self.settings.enabled or not self.settings.types:
            return []
        language = language if language in ("fr", "en") else "en"
        context = context[-120:]
        prefix = context + "\n" if context else ""
        full = prefix + text
        engine = analyzer(language)
        ad_hoc = []
        if known_names:
            from qualicall.privacy.names import known_name_recognizer

            recognizer = known_name_recognizer(tuple(known_names), language)
            if recognizer is not None:
                ad_hoc.append(recognizer)
        results = engine.analyze(
            full,
            language=language,
            nlp_artifacts=self._artifacts(engine, full, text, language),
            ad_hoc_recognizers=ad_hoc or None,
            score_threshold=self.settings.min_score,
        )
        spans = []
        for result in results:
            kind = _PRESIDIO_TYPES.get(result.entity_type, result.entity_type)
            if kind not in self.settings.types or result.end <= len(prefix):
                continue
            start, end = max(result.start, len(prefix)) - len(prefix), result.end - len(prefix)
            if kind == "NAME" and _from_ner(result):
                trimmed = _trim_name(text, start, end)
                if trimmed is None:
                    continue
                start, end = trimmed
            spans.append((kind, start, end, result.score))
        if "[" in text:
            # A placeholder is redacted already (a stored transcript posted again): nothing found inside one alone
            # (« [[NAME]] »).
            blanked = PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)
            spans = [span for span in spans if blanked[span[1] : span[2]].strip()]
        return _merge(spans)

    def _artifacts(self, engine: "AnalyzerEngine", full: str, text: str, language: str):
        nlp = engine.nlp_engine.get_nlp(language)
        from qualicall.models.nlp import bounded_words

        doc = nlp.make_doc(bounded_words(full))
        if self.settings.ner and "NAME" in self.settings.types and may_hold_name(text):
            # The NER component alone (it has its own tok2vec), called directly rather than
            # through select_pipes, which would change the pipeline the scorer shares.
            from qualicall.models.nlp import one_blas_thread

            with one_blas_thread():
                doc = nlp.get_pipe("ner")(doc)
        return engine.nlp_engine._doc_to_nlp_artifact(doc, language)

    def redact(self, text: str, language: str, context: str = "", known_names: tuple[str, ...] = ()) -> RedactedText:
        spans = self.find(text, language, context, known_names)
        return apply_redactions(text, spans)


def apply_redactions(text: str, spans: list[tuple[str, int, int]]) -> RedactedText:
    """Replace each span with its placeholder, through Presidio's anonymizer, keeping the offset map."""
    if not spans:
        return RedactedText(text)
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    results = [RecognizerResult(kind, start, end, 1.0) for kind, start, end in spans]
    operators = {kind: OperatorConfig("replace", {"new_value": placeholder(kind)}) for kind, _, _ in spans}
    anonymized = _anonymizer().anonymize(text=text, analyzer_results=results, operators=operators)
    items = sorted(anonymized.items, key=lambda item: item.start)
    redactions = [
        Redaction(kind, start, end, text[start:end], item.start, item.end)
        for (kind, start, end), item in zip(sorted(spans, key=lambda s: s[1]), items)
    ]
    return RedactedText(anonymized.text, redactions)


@lru_cache(maxsize=1)
def _anonymizer():
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def _from_ner(result: "RecognizerResult") -> bool:
    name = (result.recognition_metadata or {}).get("recognizer_name", "")
    return name.startswith("Spacy")


_TITLES = frozenset("monsieur madame mademoiselle mme mlle m mr mrs ms miss mister dr sir madam".split())


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name in an NER person span: from a first name over the capitalised words after it.

    spaCy's small models take companies and greetings for people (« bienvenue
    chez Onda Mobile »); a first name from the lexicon is what makes a person.
    """
    from qualicall.models.names import is_first_name
    from qualicall.privacy.spoken import tokenize

    words = tokenize(text[start:end])
    first = next((i for i, t in enumerate(words) if t.text[:1].isupper() and is_first_name(t.key) and t.key not in _TITLES), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(words) and last - first < 2 and words[last + 1].text[:1].isupper() and text[start + words[last].end : start + words[last + 1].start] in (" ", "-"):
        last += 1
    return start + words[first].start, start + words[last].end


def _merge(spans: list[tuple[str, int, int, float]]) -> list[tuple[str, int, int]]:
    """Overlapping spans become one, typed by the most confident: no character of either leaks."""
    merged: list[list] = []
    for kind, start, end, score in sorted(spans, key=lambda s: (s[1], -s[3])):
        if merged and start < merged[-1][2]:
            last = merged[-1]
            if score > last[3] or (score == last[3] and end - start > last[2] - last[1]):
                last[0], last[3] = kind, score
            last[2] = max(last[2], end)
        else:
            merged.append([kind, start, end, score])
    return [(kind, start, end) for kind, start, end, _ in merged]


def deployment_redactor(enabled: bool | None = None) -> Redactor | None:
    """The redactor for what the product stores, shows or exports, or None where the deployment turned redaction off.

    `enabled` (a command-line switch) overrides the settings. Redaction that
    is on but cannot run is an error, never a silent clear-text output.
    """
    import importlib.util

    settings = RedactionSettings.load()
    if enabled is not None:
        settings = settings.model_copy(update={"enabled": enabled})
    if not settings.enabled:
        return None
    if importlib.util.find_spec("presidio_analyzer") is None or importlib.util.find_spec("presidio_anonymizer") is None:
        raise PrivacyConfigError("redaction is on but Presidio is not installed: pip install 'qualicall[privacy]' (or set QUALICALL_REDACT=off)")
    return Redactor(settings)
