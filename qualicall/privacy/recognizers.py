"""Presidio recognizers for what French and English calls carry, as ASR writes it.

Presidio's own recognizers find written card numbers, IBANs, phone numbers and
e-mail addresses; speech recognisers rarely write them that way. These add
numbers dictated in words or in groups (with « euh » in the middle), letters
spelled one by one, « arobase » / "at … dot com", announced CVVs, expiry dates
and dates of birth, French and English postal addresses, and names after the
words that introduce them (ASR text has no capitals for spaCy's NER to use).

Every recognizer returns our entity types directly (`CARD`, `IBAN`…), the
names of the placeholders.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qualicall.privacy.presidio_import import import_presidio

import_presidio()
from presidio_analyzer import EntityRecognizer, RecognizerResult

from qualicall.privacy.spoken import (
    FILLERS,
    NUMBER_WORDS,
    Run,
    Token,
    digit_runs,
    fold,
    luhn_valid,
    month_words,
    tokenize,
)

def _phrases(*phrases: str) -> tuple[str, ...]:
    return tuple(" " + " ".join(fold(p).replace("'", " ").replace("-", " ").split()) + " " for p in phrases)


CARD_CONTEXT = _phrases(
    "carte", "carte bancaire", "carte bleue", "cb", "visa", "mastercard", "amex", "american express",
    "card", "card number", "long number", "numéro de carte", "chiffres de la carte", "digits",
)
CVV_CONTEXT = _phrases(
    "cryptogramme", "crypto", "code de sécurité", "cvv", "cvc", "cvv2", "trois chiffres", "au dos",
    "security code", "three digits", "on the back", "card verification",
)
EXPIRY_CONTEXT = _phrases(
    "expiration", "expire", "expirera", "date de validité", "fin de validité", "valable jusqu", "valide jusqu",
    "expiry", "expires", "expiring", "valid until", "valid thru", "valid through", "exp date",
)
DOB_CONTEXT = _phrases(
    "né le", "née le", "né en", "née en", "je suis né", "je suis née", "naissance", "date de naissance",
    "born", "born on", "date of birth", "birth date", "birthday", "dob",
)
NIR_CONTEXT = _phrases(
    "sécurité sociale", "sécu", "nir", "carte vitale", "numéro insee", "social security", "national insurance",
)
PHONE_CONTEXT = _phrases(
    "téléphone", "portable", "mobile", "fixe", "joindre", "rappeler", "appeler", "appelez moi", "appelle moi", "phone", "cell", "call you",
    "call me", "reach me",
)
# How near before a valid phone number a phone word must be to outweigh a card named further back (« ma carte … est
# bloquée, appelez-moi au 06 … »).
_PHONE_CUE_WORDS = 4
BANK_LABELS = _phrases(
    "code banque", "code guichet", "numéro de compte", "clé rib", "clé", "rib", "iban", "bic",
    "sort code", "account number", "bank code", "branch code", "routing number",
)


def context_before(tokens: list[Token], index: int, phrases: tuple[str, ...], window: int = 10) -> bool:
    """One of the phrases among the `window` tokens before token `index`."""
    joined = " " + " ".join(t.key for t in tokens[max(0, index - window) : index]) + " "
    return any(p in joined for p in phrases)


@lru_cache(maxsize=64)
def _analysed(text: str) -> tuple[list[Token], list[Run]]:
    tokens = tokenize(text)
    return tokens, digit_runs(text, tokens)


def _token_index(tokens: list[Token], char: int) -> int:
    for index, token in enumerate(tokens):
        if token.start >= char:
            return index
    return len(tokens)


class SpokenRecognizer(EntityRecognizer):
    """A recognizer working on tokens and digit runs; no NLP artifacts needed."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self, language: str) -> None:
        super().__init__(supported_entities=list(self.ENTITIES), supported_language=language, name=f"{type(self).__name__}_{language}")

    def load(self) -> None:  # nothing to load
        pass

    def result(self, entity: str, start: int, end: int, score: float = 0.9) -> RecognizerResult:
        return RecognizerResult(entity, start, end, score, recognition_metadata={"recognizer_name": self.name})


# Digits in one run beyond which nothing in it is read as a card, a phone number or an account (it is masked whole).
LONGEST_RUN_READ = 48
# A dictated identifier no other rule names — an account, a contract, an order, a claim's reference (« c'est quatre un
# sept sept zéro deux neuf trois », "order GP-7741093"): a run of at least this many digits, said as more than one number
# or written as digits. Not an amount: one number said in words (« trois cent cinquante mille »), thousands grouped by
# spaces or commas (« 380 000 », "180,000"), or a run followed by a currency or a unit (« 150 000 francs », "125000
# miles") — unless a letter code comes first (« GE 482 117 », « r huit cent cinquante-deux mille trois cent dix »).
IDENTIFIER_MIN_DIGITS = 6
_AMOUNT_WORDS = frozenset(
    "euro euros eur francs franc fcfa cfa chf dollars dollar usd cad pounds pound gbp livres livre ariary dirhams dirham "
    "dinars dinar yen balles km kilometres kilometers miles kwh kg habitants".split()
)
_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+")
# Words that make the one number after them a price (« ça coûte 350000 », "it costs 250000").
_PRICE_WORDS = _phrases("ça fait", "ca fait", "coûte", "coûté", "payé", "payer", "prix", "total", "montant", "somme", "tarif",
                        "costs", "cost", "paid", "pay", "price", "amount", "fee")


def _date_or_years(run: Run) -> bool:
    """A date said or written as numbers (« 12/03/2024 », « le douze zéro trois deux mille vingt-quatre », day, month and a
    year of 1900–2099), or two years in a row (« en 2022 2023 »): the [NUMBER] of a review's findings, appointments lost."""
    numbers = [n.digits for n in run.numbers]
    years = [n for n in numbers if len(n) == 4 and 1900 <= int(n) <= 2099]
    if len(numbers) == 2 and len(years) == 2:
        return True
    digits = run.digits
    if len(digits) == 8 and 1900 <= int(digits[4:]) <= 2099:
        return 1 <= int(digits[:2]) <= 31 and 1 <= int(digits[2:4]) <= 12
    return False


# A reference's letters before its digits: capitals (« GE », « SIN »), or one letter as ASR writes it (« r », « v a »).
_LETTER_CODE = re.compile(r"[A-Z]{1,4}|[b-hj-np-xzB-HJ-NP-XZ]")


def _nir_key_valid(digits: str) -> bool:
    return len(digits) == 15 and digits[0] in "12" and 97 - int(digits[:13]) % 97 == int(digits[13:])


def _rib_valid(digits: str) -> bool:
    if len(digits) != 23:
        return False
    bank, branch, account, key = int(digits[:5]), int(digits[5:10]), int(digits[10:21]), int(digits[21:])
    return 97 - (89 * bank + 15 * branch + 3 * account) % 97 == key


def _phone(digits: str, international: bool) -> bool:
    import phonenumbers

    try:
        if international:
            number = phonenumbers.parse("+" + digits)
            return phonenumbers.is_possible_number(number)
        for region in ("FR", "GB", "US", "BE", "CH"):
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, region)):
                return True
    except phonenumbers.NumberParseException:
        return False
    return False


class DigitRunRecognizer(SpokenRecognizer):
    """Cards, phone numbers, NIRs, RIBs, CVVs in digit runs, spoken or written.

    The digits decide where they can (Luhn for cards, the key of a NIR or a
    RIB, phone numbering plans); words said just before decide the rest (a
    card announced but misheard, a CVV, a bank code read out field by field).
    """

    ENTITIES = ("CARD", "CVV", "NIR", "PHONE", "IBAN", "NUMBER")

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001 - Presidio's signature
        tokens, runs = _analysed(text)
        found = (self._classify(text, tokens, run) for run in runs)
        return [result for result in found if result is not None]

    def _classify(self, text: str, tokens: list[Token], run: Run) -> RecognizerResult | None:
        digits = run.digits
        first = run.numbers[0].first
        plus = first > 0 and (tokens[first - 1].text == "+" or tokens[first - 1].key == "plus")

        if 3 <= len(digits) <= 4 and context_before(tokens, first, CVV_CONTEXT, 8):
            return self.result("CVV", run.start, run.end, 0.9)
        if len(digits) == 2 and context_before(tokens, first, _phrases("clé", "key"), 3) and context_before(tokens, first, NIR_CONTEXT, 30):
            return self.result("NIR", run.start, run.end, 0.9)
        if len(digits) >= 2 and not plus and context_before(tokens, first, BANK_LABELS, 4):
            return self.result("IBAN", run.start, run.end, 0.85)
        if _nir_key_valid(digits) or (len(digits) in (13, 15) and digits[0] in "12" and context_before(tokens, first, NIR_CONTEXT)):
            return self.result("NIR", run.start, run.end, 0.95)
        if _rib_valid(digits):
            return self.result("IBAN", run.start, run.end, 0.95)
        if plus and _phone(digits, international=True):
            return self.result("PHONE", tokens[first - 1].start, run.end, 0.95)
        if digits.startswith("00") and len(digits) > 10 and _phone(digits[2:], international=True):
            return self.result("PHONE", run.start, run.end, 0.9)
        if len(digits) > LONGEST_RUN_READ:
            # No identifier is this long (an IBAN's digits, two phone numbers in a row): masked whole, unread. Reading every
            # window of it against the numbering plans cost 0.24 ms of CPU a digit (a hostile « 1 1 1 … » of 1 MB: minutes).
            return self.result("PHONE", run.start, run.end, 0.7)
        padded = run.padded()
        # A Luhn-valid card anywhere in the run: the whole run goes (what follows is often the expiry or the CVV).
        if any(luhn_valid(w.digits) for w in run.windows(range(13, 20))) or (padded and 13 <= len(padded) <= 19 and luhn_valid(padded)):
            return self.result("CARD", run.start, run.end, 1.0)
        phones = [w for w in run.windows(range(10, 12)) if _phone(w.digits, international=False)]
        # The longest valid number: a UK mobile's eleventh digit must not stay in clear.
        best = max(phones, key=lambda w: (len(w.digits), -w.start)) if phones else None
        if best is not None and context_before(tokens, first, PHONE_CONTEXT, _PHONE_CUE_WORDS):
            # The whole run, as the card it would otherwise be typed: its other digits (a second number) are not left in clear.
            return self.result("PHONE", run.start, run.end, 0.95)
        if len(digits) >= 4 and context_before(tokens, first, CARD_CONTEXT, 12):
            return self.result("CARD", run.start, run.end, 0.85)
        if best is not None:
            return self.result("PHONE", best.start, best.end, 0.9)
        if len(digits) >= 8 and context_before(tokens, first, PHONE_CONTEXT, 8):
            return self.result("PHONE", run.start, run.end, 0.7)
        if len(digits) >= IDENTIFIER_MIN_DIGITS and _identifier(text, tokens, run):
            return self.result("NUMBER", run.start, run.end, 0.6)
        return None


def _identifier(text: str, tokens: list[Token], run: Run) -> bool:
    """Whether a long run of digits is dictated (an identifier) rather than an amount or a date (IDENTIFIER_MIN_DIGITS)."""
    first = run.numbers[0].first
    if first > 0 and _LETTER_CODE.fullmatch(tokens[first - 1].text):
        return True
    spoken_whole = len(run.numbers) == 1 and not all(tokens[i].key.isdigit() for i in range(first, run.numbers[0].last + 1))
    if spoken_whole or _THOUSANDS.fullmatch(text[run.start : run.end]) or _date_or_years(run):
        return False
    if len(run.numbers) == 1 and context_before(tokens, first, _PRICE_WORDS, 2):
        return False  # « ça fait 350000 », "I paid 150000": one number after a word of price
    after = run.numbers[-1].last + 1
    unit = tokens[after].key if after < len(tokens) else ""
    return unit not in _AMOUNT_WORDS and not text[run.end : run.end + 2].strip().startswith(("€", "$", "£"))


class SpelledIbanRecognizer(SpokenRecognizer):
    """IBANs as said: a country code (« FR », « F R »), then digits and letters in groups."""

    ENTITIES = ("IBAN",)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        tokens, runs = _analysed(text)
        results = []
        for index, token in enumerate(tokens):
            code, after = self._country(tokens, index)
            if code is None:
                continue
            chars, end = self._body(text, tokens, after, runs)
            body = code + chars
            iban = _longest_valid_iban(body)
            if iban or (len(body) >= 14 and context_before(tokens, index, BANK_LABELS + _phrases("iban", "bank"), 10)):
                results.append(self.result("IBAN", token.start, end, 1.0 if iban else 0.8))
        return results

    @staticmethod
    def _country(tokens: list[Token], index: int) -> tuple[str | None, int]:
        token = tokens[index]
        m = re.fullmatch(r"([A-Za-z]{2})(\d{2})([0-9A-Za-z]*)", token.text)
        if m:
            return m.group(1).upper() + m.group(2) + m.group(3).upper(), index + 1
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if len(token.text) == 1 and token.text.isalpha() and nxt and len(nxt.text) == 1 and nxt.text.isalpha():
            return (token.text + nxt.text).upper(), index + 2
        if re.fullmatch(r"[A-Z]{2}", token.text) and nxt is not None:
            return token.text, index + 1
        return None, index

    @staticmethod
    def _body(text: str, tokens: list[Token], index: int, runs: list[Run]) -> tuple[str, int]:
        """Digits and capital letter groups following the country code, fillers skipped."""
        chars = ""
        end = tokens[index - 1].end
        numbers = {n.first: n for r in runs for n in r.numbers}
        while index < len(tokens):
            token = tokens[index]
            if not re.fullmatch(r"[\s,.\-/]*", text[end : token.start]) and not chars == "":
                break
            if index in numbers:
                chars += numbers[index].digits
                end = numbers[index].end
                index = numbers[index].last + 1
            elif token.key in FILLERS:
                index += 1
            elif re.fullmatch(r"[A-Z0-9]{1,4}", token.text) or re.fullmatch(r"\d[0-9A-Za-z]*", token.text):
                chars += token.text.upper()
                end = token.end
                index += 1
            else:
                break
            if len(chars) >= 32:
                break
        return chars, end


_IBAN_LENGTHS = {"FR": 27, "MC": 27, "BE": 16, "CH": 21, "DE": 22, "ES": 24, "IT": 27, "GB": 22, "LU": 20, "NL": 18, "PT": 25, "IE": 22}


def _iban_checksum(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    try:
        return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False


def _longest_valid_iban(body: str) -> str | None:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]+", body):
        return None
    expected = _IBAN_LENGTHS.get(body[:2])
    lengths = [expected] if expected else range(min(len(body), 34), 14, -1)
    for length in lengths:
        if length <= len(body) and _iban_checksum(body[:length]):
            return body[:length]
    return None


_SEP_WORDS = {"point": ".", "dot": ".", "tiret": "-", "dash": "-", "hyphen": "-", "underscore": "_", "bas": "_"}
_AT_WORDS = {"arobase", "arobas", "arrobase", "at", "@"}
_TLDS = frozenset("com fr net org eu io be ch ca uk co us info biz de es it lu mc re gp mq yt nc pf".split())


class SpokenEmailRecognizer(SpokenRecognizer):
    """« jean point dupont arobase free point fr », "john dot smith at gmail dot com"."""

    ENTITIES = ("EMAIL",)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        tokens, _ = _analysed(text)
        results = []
        for index, token in enumerate(tokens):
            if token.key not in _AT_WORDS or index == 0:
                continue
            domain_end = self._domain(text, tokens, index + 1)
            if domain_end is None:
                continue
            first = self._local_start(text, tokens, index - 1)
            if first is None:
                continue
            results.append(self.result("EMAIL", tokens[first].start, tokens[domain_end].end, 0.95))
        return results

    @staticmethod
    def _linked(text: str, tokens: list[Token], left: int, right: int) -> bool:
        return text[tokens[left].end : tokens[right].start] in (".", "-", "_")

    def _domain(self, text: str, tokens: list[Token], index: int) -> int | None:
        """Index of the domain's last token (a known TLD after a dot), or None."""
        last_tld = None
        i = index
        while i < len(tokens) and tokens[i].key not in _SEP_WORDS and tokens[i].key not in FILLERS:
            if i > index and self._linked(text, tokens, i - 1, i) is False and not (i - 1 >= index and tokens[i - 1].key in _SEP_WORDS):
                break
            if i > index and tokens[i].key in _TLDS and (text[tokens[i - 1].end : tokens[i].start] == "." or tokens[i - 1].key in ("point", "dot")):
                last_tld = i
            nxt = i + 1
            if nxt < len(tokens) and tokens[nxt].key in _SEP_WORDS and nxt + 1 < len(tokens):
                if tokens[nxt].key in ("point", "dot") and tokens[nxt + 1].key in _TLDS:
                    last_tld = nxt + 1
                i = nxt + 1
                continue
            if nxt < len(tokens) and self._linked(text, tokens, i, nxt):
                i = nxt
                continue
            break
        return last_tld

    def _local_start(self, text: str, tokens: list[Token], index: int) -> int | None:
        if index < 0 or tokens[index].key in _SEP_WORDS:
            return None
        first = index
        i = index
        while i > 0:
            prev = tokens[i - 1]
            if prev.key in _SEP_WORDS and i - 2 >= 0 and tokens[i - 2].key not in _SEP_WORDS:
                step = 3 if prev.key == "bas" and i - 3 >= 0 and tokens[i - 2].key == "tiret" else 2
                i -= step
                first = i
            elif self._linked(text, tokens, i - 1, i) or (prev.key.isdigit() or prev.key in NUMBER_WORDS) and tokens[i].key.isdigit():
                i -= 1
                first = i
            else:
                break
        return first


_STREET_FR = frozenset(
    "rue avenue av boulevard bd bld allee impasse place chemin route quai cours square residence lotissement "
    "passage voie hameau lieu lieudit sentier villa cite parvis esplanade".split()
)
_STREET_EN = frozenset(
    "street st road rd avenue ave lane ln drive dr close way court ct place crescent terrace grove gardens boulevard blvd".split()
)
_NAME_JOINERS = frozenset("de du des la le l d saint sainte st of the".split())
_POSTCODE_UK = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")


class UkIdentifierRecognizer(SpokenRecognizer):
    """What a UK caller gives that no other rule names (a UK coach's review): a postcode on its own (« BS8 1TH », the
    address recognizer took it only after a street), a National Insurance number (« QQ 12 34 56 C », half masked as a
    [NUMBER]), a vehicle registration after its cue (« reg AB12 CDE »). English only; a fresh-eyes review found the first
    forms masking « the M1 2nd exit », « the S21 5GB plan », « is 12 34 56 a » and French product codes."""

    ENTITIES = ("ADDRESS", "NIR", "NUMBER")

    # the inward code's letters leave out C I K M O V; « 2nd », « 5th », « 5GB » are no inward codes
    POSTCODE = re.compile(r"(?<![\w-])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d(?!ST|ND|RD|TH|GB|MB|TB)[ABD-HJLNP-UW-Z]{2}(?![\w-])", re.IGNORECASE)
    # HMRC's prefixes (not D F I Q U V, nor O second, nor BG GB KN NK NT TN ZZ) and QQ, its own example; in capitals,
    # or in any case after its cue
    NATIONAL_INSURANCE = r"(?<![\w-])(?:(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]|QQ) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w-])"
    NI_CUE = re.compile(r"\b(?:national insurance|n\.? ?i\.?(?: number| no)?|nino)\b[^\n]{0,30}$", re.IGNORECASE)
    REGISTRATION = re.compile(r"\b(?:reg|registration|number plate|plate)\b[^\n]{0,20}?(?<![\w-])([A-Z]{2}\d{2} ?[A-Z]{3})(?![\w-])",
                              re.IGNORECASE)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        if self.supported_language != "en":
            return []
        found = [self.result("NIR", m.start(), m.end(), 0.95) for m in re.finditer(self.NATIONAL_INSURANCE, text)]
        found += [self.result("NIR", m.start(), m.end(), 0.9) for m in re.finditer(self.NATIONAL_INSURANCE, text, re.IGNORECASE)
                  if not m.group().isupper() and self.NI_CUE.search(text[: m.start()])]
        found += [self.result("ADDRESS", m.start(), m.end(), 0.8) for m in self.POSTCODE.finditer(text)]
        found += [self.result("NUMBER", m.start(1), m.end(1), 0.7) for m in self.REGISTRATION.finditer(text)]
        return found


class SpelledNameRecognizer(SpokenRecognizer):
    """A name spelled letter by letter after what announces it (« ça s'écrit K E R B R A T », « Madame K E R B R A T »,
    "it's spelt Y-Z-E-R-M-A-N"): the letters were left in clear (a data protection officer's review). Letters alone
    are not enough — « la S N C F », "the B B C" — the announcement is."""

    ENTITIES = ("NAME",)
    # Letters one by one, apart by spaces, dots, commas or dashes (« K E R B R A T », "S, M, I, T, H", "Y - Z - E").
    _LETTERS = re.compile(r"(?<![\w'’-])[^\W\d_](?:[ .,-]{1,3}[^\W\d_]){2,}(?![\w'’-])")
    # What announces a name, ending just before the letters (a whole word: "programs", "items", "systems" end in none).
    _CUE = re.compile(
        r"(?<![\w'’])(?:s'?écrit|s’écrit|j'?épelle|j’épelle|épel\w*|(?:mon|son|sa|votre|ton|leur) nom(?: de famille)?|nom de famille|"
        r"madame|monsieur|mademoiselle|spelt|spelled|spell(?:s|ing)?|surname|last name|family name|(?:my|his|her|their|your) name|"
        r"mrs?|ms|miss)\W{0,3}(?:(?:c'?est|c’est|is|it'?s|that'?s|euh|uh|um|:)\W{0,3}){0,3}$",
        re.IGNORECASE,
    )

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        return [self.result("NAME", m.start(), m.end(), 0.85) for m in self._LETTERS.finditer(text)
                if self._CUE.search(text[max(0, m.start() - 40) : m.start()])]


class HealthRecognizer(SpokenRecognizer):
    """What a customer says of their health or a relative's — an illness, a treatment, a pregnancy, a stay in hospital
    (« je suis sous chimiothérapie pour un cancer du sein », "my wife had a miscarriage"): data of a special category
    (GDPR article 9), which rested in clear in transcripts, the results' quoted sentences and comments, and which any
    coach could search for (a data protection officer's review). Named conditions and treatments only, so that the
    everyday words around them (« malade de cette histoire », "an operation on my account", hearing aids, a golf
    handicap, a loudspeaker: « une enceinte ») stay."""

    ENTITIES = ("HEALTH",)
    _FR = (
        r"cancers?(?: (?:du|de la|des|de l'|de l’|d'|d’)\s?\w+)?", r"chimio(?:th[ée]rapies?)?", r"radioth[ée]rapies?",
        r"leuc[ée]mies?", r"tumeurs?", r"lymphomes?", r"m[ée]tastases?", r"diab[èe]tes?", r"diab[ée]tiques?", r"insuline",
        r"vih", r"sida", r"s[ée]ropositi(?:f|ve)s?", r"h[ée]patites?(?: [abc])?", r"scl[ée]rose en plaques", r"alzheimer",
        r"parkinson", r"[ée]pilep(?:sie|tiques?)", r"autis(?:me|tes?)", r"avc", r"infarctus", r"(?:a fait|a eu|après|depuis) (?:une|sa|son|ma|la) crise cardiaque", r"dialyses?",
        r"greffes? (?:de |du |d'|d’)(?:rein|foie|c[œo]e?ur|moelle|poumons?|corn[ée]e)", r"fausses? couches?", r"ivg",
        r"avortements?", r"grossesses?", r"(?:suis|es|est|êtes|étais|était|tombée?) enceinte(?: de \w+ (?:mois|semaines))?",
        r"hospitalis[ée]e?s?", r"hospitalisations?", r"(?:suis|est|sont|était|étais) (?:à l'|à l’)h[ôo]pital",
        r"d[ée]pressions? nerveuses?", r"(?:en|fait une|souffre de|souffrait de) d[ée]pression", r"d[ée]pressi(?:f|ve)s?",
        r"anti-?d[ée]presseurs?", r"burn[- ]?out", r"bipolaires?", r"schizophr[èe]n(?:ie|es?)", r"handicap[ée]e?s?",
        r"en situation de handicap", r"(?:en |pension d'|pension d’|carte d'|carte d’)invalidit[ée]",
        r"maladies? (?:de (?:crohn|lyme|charcot|hodgkin|mon|ma|mes|son|sa|ses|notre|votre) ?\w*|chroniques?|graves?|incurables?|orphelines?)",
        r"soins palliatifs",
    )
    # Not "disabled" but of a person (an account, a card is disabled), a heart attack not had (« j'ai failli faire une crise
    # cardiaque » at a bill), "AIDS" but in capitals (hearing aids), a depression not had (the Great Depression, « une
    # dépression tropicale »), a seizure but an epileptic one (a bailiff's): fresh-eyes reviews' cases.
    _EN = (
        r"(?:breast|lung|prostate|bowel|skin|ovarian|pancreatic|brain|blood|terminal) cancer", r"cancers?", r"chemo(?:therapy)?",
        r"radiotherapy", r"leuka?emia", r"tumou?rs?", r"lymphoma", r"metastas[ie]s", r"diabetes", r"diabetic", r"insulin",
        r"hiv(?:[- ]positive)?", r"(?-i:AIDS)", r"hepatitis(?: [abc])?", r"multiple sclerosis", r"alzheimer'?s?", r"parkinson'?s?",
        r"epilep(?:sy|tic)", r"autis(?:m|tic)", r"(?:had|has had|suffered|having) (?:a|another) stroke", r"epileptic seizures?", r"dialysis",
        r"(?:kidney|liver|heart|lung) transplant", r"(?<!nearly )(?<!almost )(?:had|has had|after|since|suffered) (?:a|his|her|my) heart attack", r"miscarriage", r"abortion", r"pregnant", r"pregnancy", r"hospitali[sz]ed",
        r"hospitali[sz]ation", r"(?:is|was|am|are|been|i'm|i’m|\w+'s|\w+’s|they're|we're) in (?:the )?hospital",
        r"(?:clinical|postnatal|post-natal|severe) depression", r"(?:has|have|had|with|suffer(?:s|ing|ed)? from) depression",
        r"(?:is|am|i'm|i’m|\w+'s|\w+’s|are|was|feel|feels|felt) (?:very |so |really )?depressed", r"antidepressants?",
        r"bipolar", r"schizophreni[ac]", r"dementia", r"palliative care", r"terminally ill",
        r"(?:has|have|had|with) an? (?:learning |physical )?disability", r"(?:he|she|i|we|they|son|daughter|wife|husband|mother|father|mum|dad|child) (?:is|am|are|was|'s|’s|'m|’m) disabled",
    )

    def __init__(self, language: str) -> None:
        super().__init__(language)
        terms = sorted(self._FR if language == "fr" else self._EN, key=len, reverse=True)  # the longest reading first
        self.pattern = re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-])", re.IGNORECASE)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        return [self.result("HEALTH", m.start(), m.end(), 0.8) for m in self.pattern.finditer(text)]


class AddressRecognizer(SpokenRecognizer):
    """« 12 bis rue des Lilas, 69003 Lyon », "221B Baker Street, London NW1 6XE"."""

    ENTITIES = ("ADDRESS",)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        tokens, runs = _analysed(text)
        results = []
        number_at = {n.last: n for r in runs for n in r.numbers}
        for index, token in enumerate(tokens):
            is_street_fr = token.key in _STREET_FR and self.supported_language == "fr"
            is_street_en = token.key in _STREET_EN and self.supported_language == "en"
            if is_street_fr:
                start = self._number_before(tokens, index, number_at)
                if start is None:
                    continue
                end = self._name_after(text, tokens, index + 1, limit=5)
            elif is_street_en:
                name_start = self._words_before(tokens, index)
                if name_start is None:
                    continue
                start = self._number_before(tokens, name_start, number_at)
                if start is None:
                    continue
                end = token.end
            else:
                continue
            end = self._postcode_after(text, tokens, end, runs)
            results.append(self.result("ADDRESS", start, end, 0.85))
        return results

    @staticmethod
    def _number_before(tokens: list[Token], index: int, number_at: dict) -> int | None:
        i = index - 1
        if i >= 0 and tokens[i].key in ("bis", "ter"):
            i -= 1
        if i >= 0 and i in number_at:
            return number_at[i].start
        if i >= 0 and re.fullmatch(r"\d+[a-z]?", tokens[i].key):
            return tokens[i].start
        return None

    @staticmethod
    def _words_before(tokens: list[Token], index: int) -> int | None:
        """The street name before an English street type: one to three words, capitalised or not."""
        i = index - 1
        count = 0
        while i >= 0 and count < 3 and tokens[i].key.isalpha() and tokens[i].key not in NUMBER_WORDS:
            i -= 1
            count += 1
        return i + 1 if count else None

    @staticmethod
    def _name_after(text: str, tokens: list[Token], index: int, limit: int) -> int:
        """End of a French street name: joiners and words up to a punctuation mark."""
        from qualicall.privacy.names import is_stop_word

        end = tokens[index - 1].end
        words = 0
        while index < len(tokens) and words < limit:
            token = tokens[index]
            if re.search(r"[,.;:!?]", text[end : token.start]):
                break
            if token.key in _NAME_JOINERS:
                index += 1
                continue
            if is_stop_word(token.key, "fr") or token.key in FILLERS:
                break
            end = token.end
            words += 1
            index += 1
        return end

    @staticmethod
    def _postcode_after(text: str, tokens: list[Token], end: int, runs: list[Run]) -> int:
        """Extend over a following postal code and its town (« , 69003 Lyon »)."""
        tail = text[end : end + 40]
        uk = re.match(r"[\s,]*(?:[A-Z][a-z]+[\s,]+)?" + _POSTCODE_UK.pattern[2:-2], tail)
        if uk:
            return end + uk.end()
        for run in runs:
            if run.start >= end and re.fullmatch(r"[\s,]*", text[end : run.start]) and len(run.digits) == 5:
                after = re.match(r"\s+(?:[A-Z][\w'-]+(?:[\s-][A-Z][\w'-]+)*|[a-z][\w'-]+)", text[run.end :])
                return run.end + (after.end() if after else 0)
        return end


_ORDINALS = frozenset(
    "premier 1er first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth".split()
)
_DATE_JOINERS = frozenset("le la en of the on de du sur slash".split())
# "3rd", "21st", « 14e », « 2ème »: a day said as an ordinal in digits.
_DIGIT_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th|er|re|e|ème|eme)")
# Words of their own between a birth's announcement and its date, fillers and joiners aside: "my date of birth is the
# third" has one, « ma date de naissance euh c'est le quatorze » two (a window of 4 tokens missed both: a data
# protection officer's review); "born last year and I need 2 SIM cards" has five (a window of 6 masked the 2: a
# fresh-eyes review).
_BIRTH_GAP_WORDS = 2


def _announces_birth(tokens: list[Token], index: int) -> bool:
    """Whether a birth's announcement (DOB_CONTEXT) comes before token `index` with at most _BIRTH_GAP_WORDS words between."""
    for start in range(index - 1, max(-1, index - 12), -1):
        keys = [token.key for token in tokens[start:index]]
        joined = " " + " ".join(keys) + " "
        found = [phrase for phrase in DOB_CONTEXT if phrase in joined]
        if found:  # (the first window holding one: the announcement begins at `start`)
            after = keys[max(len(phrase.split()) for phrase in found):]
            return len([key for key in after if key not in _DATE_JOINERS and key not in FILLERS]) <= _BIRTH_GAP_WORDS
    return False


def _counted(key: str) -> bool:
    """A token that says a number: digits, a number word, a day as an ordinal in digits (« 3rd », « 14e »)."""
    return key.isdigit() or key in NUMBER_WORDS or bool(_DIGIT_ORDINAL.fullmatch(key))


def _date_word(key: str) -> bool:
    return _counted(key) or key in month_words() or key in _ORDINALS


class AnnouncedDateRecognizer(SpokenRecognizer):
    """Dates of birth and card expiry dates, when announced as such."""

    ENTITIES = ("DOB", "EXPIRY")

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        tokens, _ = _analysed(text)
        results = []
        index = 0
        while index < len(tokens):
            key = tokens[index].key
            if not _date_word(key):
                index += 1
                continue
            kind = "DOB" if _announces_birth(tokens, index) else "EXPIRY" if context_before(tokens, index, EXPIRY_CONTEXT, 4) else None
            last = index
            numbers = int(_counted(key))
            i = index + 1
            while i < len(tokens) and i - last <= 3:
                k = tokens[i].key
                if _date_word(k):
                    last = i
                    numbers += _counted(k)
                elif k not in _DATE_JOINERS and k not in FILLERS and k not in ("et", "and", "double"):
                    break
                i += 1
            # A month alone (« expiré fin février ») identifies no one.
            if kind and numbers:
                results.append(self.result(kind, tokens[index].start, tokens[last].end, 0.85))
            index = last + 1
        return results
