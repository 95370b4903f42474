"""Person names: after the words that introduce them, and the interaction's known names.

spaCy's NER needs capitals, and ASR text has none; but names are introduced
by a handful of words (« je m'appelle », « madame », "my name is", "Mr"), and
a first-name lexicon (45,000 names) tells a name from a common word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qualicall.models.names import is_first_name
from qualicall.privacy.presidio_import import import_presidio

import_presidio()
from presidio_analyzer import PatternRecognizer

from qualicall.privacy.recognizers import SpokenRecognizer, _analysed
from qualicall.privacy.spoken import FILLERS, NUMBER_WORDS, Token, fold

# Words that introduce a name: (words, strength). A weak one (« je suis »,
# "this is") needs a first name or a capital after it.
_STRONG, _WEAK = True, False
TRIGGERS = {
    "fr": [
        ("je m appelle", _STRONG), ("mon nom est", _STRONG), ("mon nom c est", _STRONG), ("mon nom de famille c est", _STRONG),
        ("mon nom de famille est", _STRONG), ("nom de famille", _STRONG), ("mon prenom c est", _STRONG), ("mon prenom est", _STRONG),
        ("au nom de", _STRONG), ("de la part de", _STRONG), ("monsieur", _STRONG), ("madame", _STRONG), ("mademoiselle", _STRONG),
        ("mme", _STRONG), ("mlle", _STRONG), ("m", _WEAK), ("je suis", _WEAK), ("c est", _WEAK), ("ici", _WEAK), ("moi c est", _WEAK),
        ("c est moi", _WEAK), ("c moi", _WEAK),
    ],
    "en": [
        ("my name is", _STRONG), ("my name s", _STRONG), ("name is", _STRONG), ("surname is", _STRONG), ("last name is", _STRONG),
        ("first name is", _STRONG), ("under the name", _STRONG), ("under the name of", _STRONG), ("mr", _STRONG), ("mrs", _STRONG),
        ("ms", _STRONG), ("miss", _STRONG), ("mister", _STRONG), ("dr", _STRONG), ("i m", _WEAK), ("this is", _WEAK),
        ("it s", _WEAK), ("i am", _WEAK), ("speak to", _WEAK), ("speaking to", _WEAK), ("it s me", _WEAK),
    ],
}
# Words after the agent's name that name their service (« Léa du service client »): a first name of the lexicon before them.
_SERVICE = ("du service", "de l equipe", "du sav")
# Words that follow a name: « julie à votre écoute », "tom speaking".
AFTER_NAME = {
    "fr": ("a l appareil", "a votre ecoute", "au telephone", "a votre service", "pour vous servir", *_SERVICE),
    "en": ("speaking", "on the line", "here to help"),
}
# A question for the name in the turn before: the reply's first words are the name.
NAME_QUESTIONS = {
    "fr": (" votre nom ", " vos nom ", " nom et prenom ", " nom prenom ", " a qui ai je l honneur ", " c est de la part de ", " vous vous appelez ",
           " a quel nom ", " sous quel nom ", " au nom de qui ", " quel est le nom "),
    "en": (" your name ", " your full name ", " who am i speaking to ", " who am i speaking with ", " who s calling ", " who is calling ",
           " what name ", " which name ", " whose name ", " the name on "),
}
# Words a reply may open with before the name.
_REPLY_OPENERS = frozenset("oui alors donc ben bah c est moi yes yeah yep so it s its i m it is".split())
# Words that are never a name even when they follow a trigger.
_NOT_NAMES = frozenset(
    "bonjour bonsoir merci oui non ok okay voila alors bien tres super parfait desole desolee pardon excusez "
    "service client clients conseiller conseillere hello hi hey thanks thank yes no please sorry sure right fine "
    "calling here speaking the customer agent advisor madame monsieur mademoiselle sir madam "
    "bonne journee soiree semaine courage fin".split()
)
# Leave-taking said right after a name (« merci madame durand salut », "thank you mister smith goodbye"): no surname. The
# word right after a title is the name whatever it is ("mister bye").
_LEAVE_TAKING = frozenset("goodbye bye byebye cheers ciao tchao salut adieu welcome bienvenue".split())
# Particles that begin or join a surname (« Le Goff », « de la Tour », « N'Diaye », "O'Connor", « da Silva »): stop words
# alone, part of the name before a word that is one.
_PARTICLES = frozenset("le la les de du des d da das do dos di del della van von der den ter ten ben bin el al mac mc o n".split())
_ABBREVIATED_TITLES = frozenset("mr mrs ms dr m mme mlle".split())
# Offices a title introduces, no one's name (« monsieur le directeur », « madame la maire »).
_OFFICES = frozenset(
    "directeur directrice maire president presidente ministre docteur professeur juge cure abbe commissaire conseiller "
    "conseillere responsable technicien technicienne gerant gerante proprietaire notaire avocat avocate depute prefet".split()
)
# What joins two parts of one word of a name: « jean-pierre », « n'diaye ».
_WORD_JOINERS = ("-", "'", "’")
# A name is one to this many words (parts joined by a hyphen or an apostrophe and particles count with their word).
NAME_WORDS = 3
# Words that follow « c'est », "it's"… and that the first-name lexicon also holds
# (« c'est clair », « c'est bon »): a weak trigger needs more than the lexicon there.
_COMMON = frozenset(
    "clair claire bon bien parfait note exact exactement vrai possible dommage gentil normal simple pareil fini "
    "correct sur juste rapide urgent grave long cher top genial nickel france "
    "sure good fine right great true clear nice fair important urgent done will may hope "
    "calling ringing looking trying just afraid happy glad sorry".split()
)
# The participles that the first-name lexicon also holds end in -é (allé, aimé, passé).
_PARTICIPLE = re.compile(r"é(?:e|s|es)?$")


def _inflected_verb(token: Token, language: str) -> bool:
    """« je suis allé », « c'est perdu »: a past participle the French lemmatizer knows, not a name."""
    if language != "fr" or not _PARTICIPLE.search(token.text.lower()):
        return False
    from qualicall.models.nlp import load_nlp

    table = load_nlp("fr").get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    lemmas = table.get(token.text.lower()) or []
    return any(lemma != token.text.lower() and lemma.endswith(("er", "ir", "re")) for lemma in lemmas)


@lru_cache(maxsize=2)
def _stop_words(language: str) -> frozenset[str]:
    from qualicall.models.nlp import stop_words

    return frozenset(fold(w) for w in stop_words("fr" if language == "fr" else "en"))


def is_stop_word(key: str, language: str) -> bool:
    return key in _stop_words(language) or key in _NOT_NAMES


def _first_name(key: str) -> bool:
    return is_first_name(key) and key not in _COMMON


_AFTER_ABBREVIATED_TITLE = re.compile(r"(?:^|\s)(?:" + "|".join(sorted(_ABBREVIATED_TITLES)) + r")\.$", re.IGNORECASE)


def _capitalised(token: Token, text: str) -> bool:
    """A capital where no sentence starts (an abbreviated title's full stop ends none: « M. Durand »), in text that is not
    all capitals."""
    before = text[: token.start].rstrip()
    starts_sentence = bool(before) and before[-1] in ".!?…" and not _AFTER_ABBREVIATED_TITLE.search(before[-8:])
    return token.text[0].isupper() and text != text.upper() and bool(before) and not starts_sentence


def _nameish(token: Token, language: str, strong: bool, text: str) -> bool:
    key = token.key
    if not re.sub(r"['’]", "", key).isalpha() or is_stop_word(key, language) or key in FILLERS or key in NUMBER_WORDS or len(key) < 2:
        return False
    if _capitalised(token, text):
        return True
    if key in _COMMON:
        return False
    return strong or (is_first_name(key) and not _inflected_verb(token, language))


def _surname(token: Token, language: str, text: str) -> bool:
    """A word after a name's first word that goes on with it: a name, not a leave-taking."""
    return token.key not in _LEAVE_TAKING and _nameish(token, language, True, text)


def _hyphened_first_name(text: str, tokens: list[Token], index: int) -> bool:
    """A part of a compound first name, a hyphen joining it to the part before or after (« marie-claire »,
    « anne-sophie »): a name even where the word alone is a common one (« claire »)."""
    before = index > 0 and _gap(text, tokens[index - 1], tokens[index]) == "-"
    after = index + 1 < len(tokens) and _gap(text, tokens[index], tokens[index + 1]) == "-"
    return (before or after) and is_first_name(tokens[index].key)


def in_dictionary(word: str, language: str) -> bool:
    """A word of the language (as written, any case): « facture », "grace"; not « goff », "priya"."""
    from qualicall.models.lexicon import dictionary
    from qualicall.models.nlp import load_nlp

    return word in dictionary(load_nlp(language))


def _in_dictionary(token: Token, language: str) -> bool:
    return in_dictionary(token.text, language)


def _gap(text: str, left: Token, right: Token) -> str:
    return text[left.end : right.start]


def _joined(text: str, left: Token, right: Token) -> bool:
    """Two tokens that may be one name's: a space between them, or a hyphen or an apostrophe (no punctuation)."""
    gap = _gap(text, left, right)
    return gap in _WORD_JOINERS or not gap.strip()


def _particle_name(text: str, tokens: list[Token], index: int, language: str) -> int | None:
    """Where a name that `index`'s particle begins ends (« le goff », « n'diaye », "o'connor", « De la Tour »): one or two
    particles, then a surname that is no office and no word of the language unless written with a capital — « madame la
    facture est arrivée », « monsieur le mois dernier », « durand d'accord » name no one (lower-case « madame de la tour »
    stays in clear: a transcript cannot tell it from « madame la tour est fermée »)."""
    i = index
    while i < len(tokens) and i - index < 3 and tokens[i].key in _PARTICLES:
        if i + 1 >= len(tokens) or not _joined(text, tokens[i], tokens[i + 1]):
            return None
        i += 1
    if i == index or i >= len(tokens) or i - index > 2:
        return None
    word = tokens[i]
    if word.key in _OFFICES or not _surname(word, language, text):
        return None
    if not _capitalised(word, text) and _in_dictionary(word, language):
        return None
    return i


def _name_end(text: str, tokens: list[Token], last: int, language: str) -> int:
    """The last token of a name whose first word ends at `last`: surnames after it (not a leave-taking), up to NAME_WORDS
    words in all, a hyphen or an apostrophe joining parts of one word (« jean-pierre », « marie-claire dupont »),
    particles before a word (« anne de montfort », "sean o'connor"); then the letters spelling it (« d u p o n t »)."""
    words = 1
    i = last + 1
    while i < len(tokens) and _joined(text, tokens[i - 1], tokens[i]):
        same_word = _gap(text, tokens[i - 1], tokens[i]) in _WORD_JOINERS
        if not same_word and words == NAME_WORDS:
            break
        end = _particle_name(text, tokens, i, language) if tokens[i].key in _PARTICLES else None
        if end is None:
            if not (_surname(tokens[i], language, text) or (same_word and _hyphened_first_name(text, tokens, i))):
                break
            end = i
        words += 0 if same_word else 1
        last, i = end, end + 1
    return _spelled_after(text, tokens, last)


class IntroducedNameRecognizer(SpokenRecognizer):
    """A name after « je m'appelle », « madame », "my name is"…: one to three words."""

    ENTITIES = ("NAME",)

    def __init__(self, language: str) -> None:
        super().__init__(language)
        # Triggers by their last word, so that each token is checked against a few at most.
        self.triggers: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
        for words, strong in TRIGGERS[language]:
            self.triggers.setdefault(words.split()[-1], []).append((tuple(words.split()), strong))

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001
        tokens, _ = _analysed(text)
        keys = [t.key for t in tokens]
        results = []
        index = 0
        answer = self._answer_start(text, tokens, keys)
        first = None if answer is None else self._first_word(text, tokens, answer, strong=True)
        if first is not None:
            end_index = _name_end(text, tokens, first, self.supported_language)
            results.append(self.result("NAME", tokens[answer].start, tokens[end_index].end, 0.8))
            index = end_index + 1
        while index < len(tokens):
            end_index = self._name_at(text, tokens, keys, index)
            if end_index is None:
                index += 1
                continue
            results.append(self.result("NAME", tokens[index].start, tokens[end_index].end, 0.85))
            index = end_index + 1
        results.extend(self._names_before(text, tokens, keys))
        return results

    def _names_before(self, text: str, tokens: list[Token], keys: list[str]) -> list:
        """Names just before « à l'appareil », "speaking": a first name (or a capital), then a surname."""
        joined = " " + " ".join(keys) + " "
        found = []
        for phrase in AFTER_NAME[self.supported_language]:
            for m in re.finditer(" " + phrase + " ", joined):
                at = joined[: m.start() + 1].count(" ") - 1  # index of the phrase's first token
                words: list[int] = []
                # Two words at most, parts joined by a hyphen or an apostrophe counting as one (« jean-pierre martin »).
                count = 0
                for i in range(at - 1, -1, -1):
                    joined_to_next = i == at - 1 or _joined(text, tokens[i], tokens[i + 1])
                    same_word = i < at - 1 and _gap(text, tokens[i], tokens[i + 1]) in _WORD_JOINERS
                    if not joined_to_next or (not same_word and count == 2):
                        break
                    if not (_nameish(tokens[i], self.supported_language, True, text) or _hyphened_first_name(text, tokens, i)):
                        break
                    count += 0 if same_word else 1
                    words.insert(0, i)
                # It starts with a first name or a capital: « le service client à votre écoute » is no one; before a
                # service, a first name of the lexicon (« Le Directeur du service », « EDF du service client » are no one).
                while words and not (_first_name(tokens[words[0]].key) or (phrase not in _SERVICE and _capitalised(tokens[words[0]], text))):
                    words.pop(0)
                if words:
                    found.append(self.result("NAME", tokens[words[0]].start, tokens[words[-1]].end, 0.8))
        return found

    def _answer_start(self, text: str, tokens: list[Token], keys: list[str]) -> int | None:
        """After a question for the name in the context (the text before the last line break), the reply's first word."""
        cut = text.rfind("\n")
        if cut < 0:
            return None
        first = next((i for i, t in enumerate(tokens) if t.start > cut), None)
        if first is None:
            return None
        asked = " " + " ".join(keys[max(0, first - 14) : first]) + " "
        if not any(q in asked for q in NAME_QUESTIONS[self.supported_language]):
            return None
        while first < len(tokens) and (keys[first] in _REPLY_OPENERS or keys[first] in FILLERS):
            first += 1
        return first if first < len(tokens) else None

    def _name_at(self, text: str, tokens: list[Token], keys: list[str], index: int) -> int | None:
        """Index of the last token of a name starting at `index`, if a trigger precedes it."""
        for words, strong in self.triggers.get(keys[index - 1], ()) if index else ():
            n = len(words)
            if index < n or tuple(keys[index - n : index]) != words:
                continue
            # A name follows its trigger directly, with no punctuation: « madame, je… » is not one; an abbreviated
            # title's full stop is no punctuation ("Mr. McDonald", « M. Durand »).
            gap = text[tokens[index - 1].end : tokens[index].start].strip()
            if gap and not (gap == "." and words[-1] in _ABBREVIATED_TITLES):
                continue
            first = self._first_word(text, tokens, index, strong)
            if first is None:
                continue
            return _name_end(text, tokens, first, self.supported_language)
        return None

    def _first_word(self, text: str, tokens: list[Token], index: int, strong: bool) -> int | None:
        """The last token of a name's first word starting at `index` (« le goff » after a title is one), if there is one.
        After a strong trigger, a first name that is also a common word is the name where the clause ends with it or a
        surname follows (« je m'appelle claire », "my name is will smith"; not "my name is will not be given"); after a
        weak one it is not (« c'est clair »)."""
        token = tokens[index]
        if _nameish(token, self.supported_language, strong, text):
            return index
        if strong and token.key in _COMMON and is_first_name(token.key) and self._ends_a_name(text, tokens, index):
            return index
        if strong and token.key in _PARTICLES:
            return _particle_name(text, tokens, index, self.supported_language)
        return None

    def _ends_a_name(self, text: str, tokens: list[Token], index: int) -> bool:
        """The clause ends after token `index`, or a surname follows it: no word of the language, or one that ends the
        clause in turn ("will smith", not "will pay the bill")."""
        def clause_ends_after(i: int) -> bool:
            return i + 1 >= len(tokens) or bool(_gap(text, tokens[i], tokens[i + 1]).strip())

        if clause_ends_after(index):
            return True
        following = tokens[index + 1]
        if not _surname(following, self.supported_language, text):
            return False
        return not _in_dictionary(following, self.supported_language) or clause_ends_after(index + 1)


def _spelled_after(text: str, tokens: list[Token], last: int) -> int:
    """Extend a name over the letters that spell it: « Dupont, d u p o n t »."""
    i = last + 1
    letters = 0
    while i < len(tokens) and len(tokens[i].text) == 1 and tokens[i].text.isalpha() and re.fullmatch(r"[\s,.\-]*", text[tokens[i - 1].end : tokens[i].start]):
        letters += 1
        i += 1
    return i - 1 if letters >= 3 else last


@lru_cache(maxsize=32)
def known_name_recognizer(names: tuple[str, ...], language: str) -> PatternRecognizer | None:
    """The interaction's known names (the customer's), each word matched on its own, case and accents ignored."""
    words: set[str] = set()
    for name in names:
        for part in re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", name):
            if len(part) >= 2 and not is_stop_word(fold(part), language):
                words.update({part, fold(part)})
    if not words:
        return None
    return PatternRecognizer(supported_entity="NAME", deny_list=sorted(words, key=len, reverse=True), supported_language=language, name="KnownNames")
