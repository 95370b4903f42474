"""Throughput: interactions scored per second per core on long calls, and start-up times.

    python benchmarks/throughput.py [--calls 60] [--words 800] [--profile] [--against DIR [--rounds 3]]

Generates long voice calls (≈ 800 words, French and English, clean and
ASR-style turns) from varied sentences, scores them in one process on one
thread (so the figure is per core), after a warm-up that loads the models.
Then times `qualicall --help`, `qualicall rubric validate` and a first
`qualicall score` in fresh processes. `--without-signals` scores with the
default rubrics less their conditional criteria and the banks only those and the signals read (no customer
signals, sentiment or complaint handling; the grid items' banks stay): the cost of those is the difference. The machine may be shared: the load
average is printed next to the figures. `--against DIR` scores the same calls with another
checkout's code (DIR's qualicall) in alternation with this one, for
`--rounds` rounds, each checkout in a fresh process per round (a second pass over the same calls
would find their sentence embeddings cached): the ratio comes from one run, under the same load.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

# One thread: the figure is per core (numpy/torch would otherwise use every core).
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPENING = {
    "fr": ["Transports Alizé, bonjour, Nadia à votre écoute, que puis-je faire pour vous ?", "oui bonjour vous êtes bien chez mutuelle horizon je m'appelle paul en quoi puis-je vous aider"],
    "en": ["Good morning, thank you for calling Northwind Energy, my name is Tom, how can I help you today?", "hello you've reached brightline broadband this is amy speaking how can i help"],
}
CUSTOMER = {
    "fr": [
        "Bonjour, j'ai reçu une facture d'électricité de {n} euros, beaucoup plus élevée que d'habitude et je voudrais comprendre pourquoi.",
        "euh oui alors en fait mon compteur a été changé le {n} du mois dernier et depuis je paie le double",
        "Je ne trouve pas le formulaire de résiliation sur votre site.",
        "d'accord et ça prendra combien de temps à peu près pour le dossier {n}",
        "Oui, c'est bien ça, merci.",
        "et est-ce que je dois renvoyer l'ancien appareil par la poste ou passer en agence",
    ],
    "en": [
        "Hi, my last bill was {n} pounds, much higher than usual and I'd like to know why.",
        "um yeah so the engineer came on the {n}th and since then the internet keeps dropping every evening",
        "I can't find where to change my payment date in the app.",
        "okay and how long will that take roughly for order {n}",
        "Yes, that's right, thanks.",
        "and do i need to send the old router back or can i drop it at a shop",
    ],
}
AGENT = {
    "fr": [
        "Si je comprends bien, votre facture a doublé depuis le changement de compteur et vous voulez savoir pourquoi. C'est bien cela ?",
        "Je regarde votre dossier, un instant s'il vous plaît.",
        "alors je vois que l'ancien compteur a été relevé en estimation pendant {n} jours donc la facture de mars contient un rattrapage de consommation",
        "Vous pouvez étaler ce montant sur {n} mois sans frais. Je peux le faire maintenant si vous le souhaitez.",
        "c'est fait je vous ai mis un échéancier de {n} euros par mois vous recevrez la confirmation par courriel dans quelques minutes",
        "Le PDL, c'est-à-dire le point de livraison, figure en haut de votre facture.",
        "Est-ce que c'est clair pour vous ?",
        "d'accord alors vous pouvez déposer l'appareil dans n'importe quelle agence ou le renvoyer avec l'étiquette prépayée",
    ],
    "en": [
        "So if I understand correctly, your bill doubled after the engineer's visit and you'd like to know why. Is that right?",
        "Let me have a look at your account, one moment please.",
        "okay so i can see the old meter was estimated for {n} days so the march bill includes a catch-up on your usage",
        "You can spread that amount over {n} months at no extra cost. I can set it up now if you like.",
        "that's done i've set up a plan of {n} pounds a month you'll get a confirmation email in a few minutes",
        "Your MPAN, that's the meter point number, is at the top of your bill.",
        "Does that make sense?",
        "right so you can drop the router at any of our shops or post it back with the prepaid label",
    ],
}
CLOSING = {
    "fr": ["Je récapitule : votre échéancier est en place et vous recevez la confirmation par courriel. Avez-vous d'autres questions ?", "merci de votre appel et bonne journée au revoir"],
    "en": ["To recap, your payment plan is set up and the confirmation is on its way by email. Is there anything else I can help you with?", "thank you for calling have a lovely day goodbye"],
}


def long_call(index: int, language: str, words: int, rng: random.Random):
    """A voice call of about `words` words, agent and customer alternating, with turn times."""
    from qualicall.core.interaction import Interaction

    turns = [("agent", rng.choice(OPENING[language]))]
    count = len(turns[0][1].split())
    while count < words - 40:
        for speaker, pool in (("customer", CUSTOMER[language]), ("agent", AGENT[language])):
            # Numbers vary, so that no cache sees the same sentence twice.
            text = rng.choice(pool).replace("{n}", str(rng.randint(2, 9999)))
            turns.append((speaker, text))
            count += len(text.split())
    turns += [("agent", CLOSING[language][0]), ("customer", "non merci" if language == "fr" else "no thanks"), ("agent", CLOSING[language][1])]
    clock, out = 0.5, []
    for speaker, text in turns:
        seconds = len(text.split()) / 2.5
        out.append({"speaker": speaker, "text": text, "start": round(clock, 2), "end": round(clock + seconds, 2)})
        clock += seconds + 0.6
    return Interaction.model_validate({"id": f"long-{language}-{index}", "channel": "voice", "language": language, "turns": out})


def make_scorer(without_signals: bool):  # type: ignore[no-untyped-def]
    """The default rubrics' scorer, or, `without_signals`, one with their banks and conditional criteria left out."""
    from qualicall.scorer.engine import Scorer

    scorer = Scorer()
    if without_signals:
        from qualicall.scorer.rubric import load_rubric

        plain = {}
        for language in ("fr", "en"):
            rubric = load_rubric(f"default-{language}")
            criteria = {cid: c for cid, c in rubric.criteria.items() if c.applies_if is None}
            # The grid's own banks stay (its items name them in any param: bank, unless, meaning_bank…); the signals' and sentiment's go.
            named = {value for c in criteria.values() for item in c.items.values() for value in item.params.values() if isinstance(value, str)}
            banks = {name: bank for name, bank in rubric.banks.items() if name in named}
            plain[language] = Scorer(rubric.model_copy(update={"banks": banks, "criteria": criteria}))
        scorer.rubric_for = lambda interaction: plain[interaction.language].rubric_for(interaction)  # type: ignore[method-assign]
    return scorer


# One pass of a checkout over the calls, in a fresh process: DIR's qualicall with this file's make_scorer;
# the warm-up calls and the calls arrive as JSON; the CPU seconds of the pass are printed.
PASS = """
import json, sys, time
bench, checkout, without = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
sys.path.insert(0, bench)
import throughput
sys.path[:] = [checkout] + [p for p in sys.path if p != str(throughput.ROOT)]
from qualicall.core.interaction import Interaction
warm, calls = ([Interaction.model_validate(c) for c in part] for part in json.loads(sys.stdin.read()))
scorer = throughput.make_scorer(without)
for call in warm:
    scorer.score(call)
cpu = time.process_time()
for call in calls:
    scorer.score(call)
print(time.process_time() - cpu)
"""


def first_pass(checkout: Path, warm: list, calls: list, without_signals: bool) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of one checkout's first pass over `calls`, in a new process (no cache has seen them)."""
    import json

    body = json.dumps([[c.model_dump(mode="json") for c in warm], [c.model_dump(mode="json") for c in calls]])
    done = subprocess.run([sys.executable, "-c", PASS, str(ROOT / "benchmarks"), str(checkout), "1" if without_signals else "0"],
                          input=body, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(checkout)}, cwd=checkout)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def against(other: Path, warm: list, calls: list, rounds: int, without_signals: bool) -> None:  # type: ignore[no-untyped-def]
    """This checkout and `other`, each in a fresh process per round, in alternation: a first pass over the
    same calls (scoring them twice in one process would find the sentence embeddings cached)."""
    import statistics

    passes: dict[Path, list[float]] = {ROOT: [], other: []}
    for number in range(rounds):
        for checkout in ((ROOT, other) if number % 2 == 0 else (other, ROOT)):
            passes[checkout].append(first_pass(checkout, warm, calls, without_signals))
        print(f"round {number + 1}: this checkout {len(calls) / passes[ROOT][-1]:.1f}/s, {other} {len(calls) / passes[other][-1]:.1f}/s "
              f"(load {os.getloadavg()[0]:.2f})", flush=True)
    mine, theirs = statistics.median(passes[ROOT]), statistics.median(passes[other])
    print(f"medians: this checkout {len(calls) / mine:.1f} interactions/s per core ({1000 * mine / len(calls):.1f} ms per call), "
          f"{other} {len(calls) / theirs:.1f}/s ({1000 * theirs / len(calls):.1f} ms); ratio {theirs / mine:.2f}")


def startup(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qualicall", *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"qualicall {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=60, help="calls scored per language")
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions (cProfile)")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    parser.add_argument("--against", type=Path, help="another checkout to compare with, in alternation on the same calls")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each checkout with --against")
    parser.add_argument("--without-signals", action="store_true", help="rubrics without the signals' banks: no signals, sentiment or complaint handling")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")

    rng = random.Random(7)
    calls = [long_call(i, language, args.words, rng) for language in ("fr", "en") for i in range(args.calls)]
    words = sum(len(t.text.split()) for c in calls for t in c.turns)
    if args.against:
        against(args.against.resolve(), [long_call(999, language, args.words, random.Random(999)) for language in ("fr", "en")],
                calls, args.rounds, args.without_signals)
        return 0
    scorer = make_scorer(args.without_signals)
    started = time.perf_counter()
    scorer.score(long_call(999, "fr", args.words, rng))
    warm = scorer.score(long_call(999, "en", args.words, rng))
    assert bool(warm.signals) is not args.without_signals, "the rubrics' banks are not what --without-signals asked"
    warm_up = time.perf_counter() - started

    def run() -> float:
        cpu = time.process_time()
        for call in calls:
            scorer.score(call)
        return time.process_time() - cpu

    # The measured pass first: a second pass over the same calls finds their sentence embeddings cached.
    wall = time.perf_counter()
    cpu = run()
    wall = time.perf_counter() - wall
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        run()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"warm-up (models loaded, fr + en): {warm_up:.1f} s")
    print(f"{len(calls)} calls, {words / len(calls):.0f} words each on average")
    print(f"throughput: {len(calls) / cpu:.1f} interactions/s per core (CPU time {cpu:.2f} s; wall {wall:.2f} s → {len(calls) / wall:.1f}/s on this shared machine)")
    print(f"            {1000 * cpu / len(calls):.1f} ms per call")
    if not args.no_startup:
        example = str(ROOT / "examples" / "call-fr.json")
        print(f"start-up: qualicall --help {startup(['--help']):.2f} s; rubric validate {startup(['rubric', 'validate', 'default-fr', 'default-en']):.2f} s; "
              f"first score (no redaction) {startup(['score', example, '--no-redact']):.2f} s; first score (redaction on) {startup(['score', example]):.2f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
