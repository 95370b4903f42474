"""Language of an interaction when the input does not say: French or English."""

from __future__ import annotations

from qualicall.core.text import normalize

_FR = frozenset("je vous le la les de des du est et un une que pour pas oui bonjour merci votre vos avec sur dans ce c est ai".split())
_EN = frozenset("i you the a an of is and to for not yes hello thank thanks your with on in this it my can please".split())


def detect_language(texts: list[str]) -> str:
    fr = en = 0
    for text in texts:
        for word in normalize(text).text.split():
            fr += word in _FR
            en += word in _EN
    return "en" if en > fr else "fr"
