"""A synthetic French phone call: two espeak-ng voices, one per channel, 8 kHz µ-law stereo WAV.

    python benchmarks/synthetic_call.py OUT.wav [--mono] [--agent-channel left|right]

Writes the call and OUT.json beside it: the reference turns (speaker, text,
start, end), for word error rates and role accuracy (benchmarks/asr.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from audio_calls import make_call  # noqa: E402

CALL = [
    ("agent", "Bonjour, vous êtes bien chez Énergie Plus, je m'appelle Julie, que puis-je faire pour vous ?"),
    ("customer", "Bonjour madame, j'ai reçu une facture beaucoup plus élevée que d'habitude."),
    ("agent", "Je comprends. Pouvez-vous me donner votre numéro de client, s'il vous plaît ?"),
    ("customer", "Oui, c'est le quatre cent douze, trois cent vingt."),
    ("agent", "Merci. Je vous mets en attente un instant, je vérifie votre consommation."),
    ("agent", "Merci de votre patience. Votre compteur a été remplacé le mois dernier, la facture comprend deux mois."),
    ("customer", "D'accord, donc je n'ai pas payé deux fois."),
    ("agent", "Exactement. Si je résume, la facture couvre deux mois et le montant est correct. Avez-vous d'autres questions ?"),
    ("customer", "Non, c'est tout, merci beaucoup."),
    ("agent", "Merci de votre appel, je vous souhaite une bonne journée, au revoir."),
]

# The hold the agent announces (after turn 4): 8 s of silence on both channels.
HOLD_AFTER = {4: 8.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mono", action="store_true", help="both voices on one channel")
    parser.add_argument("--agent-channel", choices=("left", "right"), default="left")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    turns = make_call(CALL, args.out, agent_channel=0 if args.agent_channel == "left" else 1, mono=args.mono, pauses=HOLD_AFTER)
    reference = args.out.with_suffix(".json")
    reference.write_text(json.dumps([asdict(t) for t in turns], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out} ({turns[-1].end + 1:.1f} s), reference turns in {reference}")


if __name__ == "__main__":
    main()
