"""The command line on bad input (issue 17, finding 12): one-line errors and the exit statuses the README
gives (1: some records skipped; 2: unusable input), never a traceback; a `.jsonl` output is one line per result."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import EXAMPLES, run_cli


@pytest.fixture(scope="module")
def cli(cli):
    """conftest's `qualicall` in process (an escaped exception fails the test there), and no traceback printed."""

    def invoke(*args, **options):  # type: ignore[no-untyped-def]
        done = cli(*args, **options)
        assert "Traceback" not in done.stdout + done.stderr
        return done

    return invoke


def one_line_error(done, *words: str) -> bool:  # type: ignore[no-untyped-def]
    lines = done.stderr.strip().splitlines()
    return done.returncode == 2 and len(lines) == 1 and lines[0].startswith("qualicall: error: ") and all(w in lines[0] for w in words)


@pytest.mark.parametrize("command", ["score", "redact"])
@pytest.mark.parametrize("name", ["binaire.json", "binaire.jsonl"])
def test_a_binary_file_is_a_one_line_error(cli, tmp_path, command, name):
    binary = tmp_path / name
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(256))
    done = cli(command, binary)
    assert one_line_error(done, name, "not UTF-8 text"), done.stderr


@pytest.mark.parametrize("command", ["score", "redact", "report"])
def test_a_missing_file_or_a_folder_is_a_one_line_error_with_status_2(cli, tmp_path, command):
    assert one_line_error(cli(command, tmp_path / "absent.jsonl"), "absent.jsonl", "no such file")
    assert one_line_error(cli(command, tmp_path), "is a folder")


def test_a_missing_file_among_others_is_skipped_with_status_1(cli, tmp_path):
    done = cli("score", tmp_path / "absent.json", EXAMPLES / "call-fr.json")
    assert done.returncode == 1 and "skipped: " in done.stderr and "absent.json: no such file" in done.stderr
    assert json.loads(done.stdout)["interaction_id"]


@pytest.mark.parametrize("record, reason", [
    ({"criteria": {"greeting": "x"}}, "criteria.greeting: expected an object, got str"),
    ({"criteria": {"greeting": {"items": {"hello": 3}}}}, "criteria.greeting.items.hello: expected an object, got int"),
    ({"indicators": "x"}, "indicators: expected an object, got str"),
    ({"signals": "x"}, "signals: expected an object, got str"),
    ({"signals": {"complaint": True}}, "signals.complaint: expected an object, got bool"),
    ({"sentiment": 0.4}, "sentiment: expected an object, got float"),
], ids=["criterion", "item", "indicators", "signals", "signal", "sentiment"])
def test_report_skips_a_result_of_the_wrong_shape(cli, tmp_path, record, reason):
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"interaction_id": "ok", "quality_score": 80.0}) + "\n" + json.dumps(record) + "\n")
    done = cli("report", results, "--format", "json")
    assert done.returncode == 1 and f"skipped: {results}:2: {reason}" in done.stderr, done.stderr
    assert json.loads(done.stdout)["total"]["contacts"] == 1


def test_report_skips_a_number_out_of_range(cli, tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text('{"interaction_id": "ok", "overall_score": 70}\n{"interaction_id": "big", "overall_score": 1e999}\n')
    done = cli("report", results, "--format", "json")
    assert done.returncode == 1 and f"skipped: {results}:2: invalid JSON: number 1e999 out of range" in done.stderr, done.stderr
    assert json.loads(done.stdout)["total"]["contacts"] == 1


def test_one_record_scored_into_a_jsonl_file_is_one_line_that_report_reads(cli, tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text((EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert cli("score", one, "--out", out).returncode == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["interaction_id"] == json.loads(one.read_text())["id"]
    done = cli("report", out, "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["total"]["contacts"] == 1


def test_a_rubric_with_a_broken_regex_is_named_by_its_line_and_never_scored(cli, tmp_path):
    from qualicall.scorer.rubric import rubric_path

    good = '            - "(?<![a-z])rien d autre(?![a-z])"\n'
    text = rubric_path("default-fr").read_text(encoding="utf-8").replace(good, '            - "(?<![a-z])rien d (autre"\n')
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if "rien d (autre" in content)
    validated = cli("rubric", "validate", broken)
    assert validated.returncode == 1
    assert f"criteria.closing.items.other_needs.params.patterns[1] (line {line}): invalid regular expression" in validated.stderr
    scored = cli("score", EXAMPLES / "call-fr.json", "--rubric", broken)
    assert one_line_error(scored, "invalid rubric", f"(line {line})", "invalid regular expression"), scored.stderr


def _default_fr_text() -> str:
    from qualicall.scorer.rubric import rubric_path

    return rubric_path("default-fr").read_text(encoding="utf-8")


def test_a_rubric_that_is_not_utf8_is_a_one_line_error_and_breaks_no_other_rubric(cli, tmp_path, monkeypatch):
    """(A Latin-1 copy gave a UnicodeDecodeError traceback in validate, show and score; in the rubrics folder, it broke
    `rubric list` and every score with another rubric of that folder.)"""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    good = _default_fr_text().replace("id: default-fr", "id: acme-fr").replace("name: ", "name: Grille Acmé ", 1)
    (folder / "acme-fr.yaml").write_text(good, encoding="utf-8")
    (folder / "zz-latin.yaml").write_bytes(good.encode("latin-1", errors="replace"))
    latin = folder / "zz-latin.yaml"
    for done in (cli("rubric", "validate", latin), cli("rubric", "show", latin), cli("score", EXAMPLES / "call-fr.json", "--rubric", latin)):
        assert one_line_error(done, "zz-latin.yaml is not UTF-8 text (byte 0xe9 at offset"), done.stderr
    monkeypatch.setenv("QUALICALL_RUBRICS_DIR", str(folder))
    scored = cli("score", EXAMPLES / "call-fr.json", "--rubric", "acme-fr", "--format", "table")
    assert scored.returncode == 0 and "acme-fr" in scored.stdout
    listed = cli("rubric", "list")
    assert listed.returncode == 1 and "zz-latin.yaml is not UTF-8" in listed.stderr
    assert {"acme-fr", "default-fr", "default-en"} <= {line.split("\t")[0] for line in listed.stdout.splitlines()}


@pytest.mark.parametrize("change, path, message", [
    # Two criteria under one id: the first (the greeting, four items) vanished and validate said ok.
    (lambda text: text.replace("\n  reformulation:\n", "\n  greeting:\n", 1), "criteria.greeting", "duplicate key 'greeting' (lines "),
    # A weight of .inf scored "Infinity" and "NaN", which is no JSON; `true` read as 1.
    (lambda text: text.replace("    weight: 20\n", "    weight: .inf\n", 1), "criteria.greeting.weight", "Input should be a finite number"),
    (lambda text: text.replace("    weight: 20\n", "    weight: true\n", 1), "criteria.greeting.weight", "a number, not true or false"),
    # Settings validate said ok that leave a score out for every contact, or an item judged on nothing.
    (lambda text: re.sub(r"(?m)^    weight: \d+$", "    weight: 0", text), "criteria", "no contact would have a quality score"),
    (lambda text: text.replace("combination: {quality: 70, operational: 30}", "combination: {quality: 0, operational: 0}"), "combination",
     "no contact would have an overall score"),
    # (its phrases emptied and, since v27, its pattern for a letter's « Chère Madame » gone too)
    (lambda text: re.sub(r"(?m)^          patterns: \[\"\^\(\?:cher\|.*$\n", "",
                         re.sub(r"(?m)^          phrases: \[bonjour, bonsoir.*$", "          phrases: []", text, count=1), count=1),
     "criteria.greeting.items.salutation.params", "nothing to find"),
    (lambda text: re.sub(r"(?m)^          phrases: \[bonjour, bonsoir.*$", '          phrases: ["", "  "]', text, count=1),
     "criteria.greeting.items.salutation.params.phrases", "an empty phrase"),
    # One line for a label in another language (two, naming pydantic's « dict[literal['fr','en'],str] »).
    (lambda text: text.replace("label: {fr: Salutation, en: Salutation}", "label: {fr: Salutation, en: Salutation, de: Gruss}", 1),
     "criteria.greeting.items.salutation.label", "a label's languages are fr and en, not 'de'"),
])
def test_a_rubric_that_would_lose_a_criterion_or_a_score_or_judge_on_nothing_is_refused(cli, tmp_path, change, path, message):
    text = _default_fr_text()
    changed = change(text)
    assert changed != text
    rubric = tmp_path / "changed.yaml"
    rubric.write_text(changed, encoding="utf-8")
    validated = cli("rubric", "validate", rubric)
    assert validated.returncode == 1 and path in validated.stderr and message in validated.stderr, validated.stderr
    scored = cli("score", EXAMPLES / "call-fr.json", "--rubric", rubric)
    assert one_line_error(scored, "invalid rubric", message), scored.stderr


def test_a_refused_records_reason_quotes_no_personal_data_where_the_deployment_redacts(cli, tmp_path):
    """(« indicators.nps: expected a number, got 'FR76 3000 …' »: the values a reason quotes went in clear to stderr and
    to a batch's failures file, kept next to its results.)"""
    records = tmp_path / "refused.jsonl"
    turns = [{"speaker": "agent", "text": "bonjour"}]
    records.write_text("\n".join(json.dumps(record) for record in [
        {"id": "r1", "turns": turns, "indicators": {"csat": "jean.dupont@example.com"}},
        {"id": "r2", "turns": turns, "indicators": {"nps": "FR76 3000 6000 0112 3456 7890 189"}},
        {"id": "r3", "turns": turns, "indicators": {"received_at": "carte 4970 1012 3456 7893"}},
        {"id": "r4", "turns": turns, "indicators": {"csat": "4,5"}},
    ]) + "\n", encoding="utf-8")
    scored = cli("score", records, "--redact")
    out = tmp_path / "batch" / "results.jsonl"
    batched = cli("batch", records, "--out", out, "--no-progress", "--redact")
    kept = (tmp_path / "batch" / "results.failures.jsonl").read_text(encoding="utf-8")
    for text in (scored.stderr, batched.stderr, kept):
        for clear in ("jean.dupont", "FR76", "4970 1012"):
            assert clear not in text, text
    assert "indicators.csat: expected a number, got '[EMAIL]'" in scored.stderr and "got '[IBAN]'" in kept
    assert "received_at: expected an ISO 8601 date-time with a UTC offset (2026-11-02T09:00:00+01:00), got 'carte [CARD]'" in scored.stderr
    assert "got '4,5'" in scored.stderr  # what holds no personal data is quoted as typed


def test_a_formula_passing_by_another_way_and_a_quoted_weight_are_valid(cli, tmp_path):
    """(A formula with only `tag_after` or `pickup_questions` was refused as « nothing to find »; `weight: '20'` too.)"""
    text = _default_fr_text().replace("    weight: 20\n", "    weight: '20'\n", 1)
    text = text.replace("\n  reformulation:\n", "\n  extra:\n    weight: 5\n    items:\n      asked:\n        check: formula\n"
                        "        params: {pickup_questions: [que désirez]}\n  reformulation:\n", 1)
    rubric = tmp_path / "other-ways.yaml"
    rubric.write_text(text, encoding="utf-8")
    validated = cli("rubric", "validate", rubric)
    assert validated.returncode == 0 and ": ok (" in validated.stdout, validated.stderr


def test_a_date_that_did_not_parse_is_quoted_as_typed(cli, tmp_path):
    """(« '2026-03-12 25:00' » read « '[PHONE]:00' »: the value the operator must see, redacted as a phone number.)"""
    records = tmp_path / "dates.jsonl"
    records.write_text(json.dumps({"id": "d1", "turns": [{"speaker": "agent", "text": "bonjour"}], "started_at": "2026-03-12 25:00"}) + "\n",
                       encoding="utf-8")
    scored = cli("score", records, "--redact")
    assert "started_at: '2026-03-12 25:00' is not an ISO 8601 date and time" in scored.stderr, scored.stderr


def test_a_rubric_in_the_folder_is_known_by_its_name_and_by_the_id_it_declares(cli, tmp_path, monkeypatch):
    """(`acme1.yaml` saying `id: acme-fr`: `--rubric acme-fr` was unknown while its results said acme-fr.) A copy of a
    built-in rubric under another name shadows nothing (a fresh-eyes review saw my-grid.yaml replace default-fr when it
    was read by its declared id). A folder given as a rubric says what to give instead."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    (folder / "acme1.yaml").write_text(_default_fr_text().replace("id: default-fr", "id: acme-fr", 1), encoding="utf-8")
    (folder / "my-grid.yaml").write_text(_default_fr_text().replace("    weight: 20\n", "    weight: 77\n", 1), encoding="utf-8")
    monkeypatch.setenv("QUALICALL_RUBRICS_DIR", str(folder))
    listed = [line.split("\t")[0] for line in cli("rubric", "list").stdout.splitlines()]
    assert {"acme1", "my-grid", "default-fr"} <= set(listed)
    for name in ("acme-fr", "acme1"):
        scored = cli("score", EXAMPLES / "call-fr.json", "--rubric", name)
        assert scored.returncode == 0 and json.loads(scored.stdout)["rubric"]["id"] == "acme-fr", name
    by_language = json.loads(cli("score", EXAMPLES / "call-fr.json").stdout)
    assert by_language["criteria"]["greeting"]["weight"] == 20  # the built-in default-fr, not my-grid's copy
    assert one_line_error(cli("rubric", "validate", folder), "is a folder: give a rubric's YAML file")


@pytest.mark.parametrize("variable, value, words", [
    ("QUALICALL_MAX_UPLOAD_MB", "abc", ("QUALICALL_MAX_UPLOAD_MB='abc'", "valid number")),
    ("QUALICALL_PORT", "70000", ("QUALICALL_PORT='70000'", "65535")),
    ("QUALICALL_COOKIE_SAMESITE", "sometimes", ("QUALICALL_COOKIE_SAMESITE='sometimes'", "'lax' or 'strict'")),
    ("QUALICALL_SESSION_HOURS", "-3", ("QUALICALL_SESSION_HOURS='-3'", "greater than 0")),
    ("QUALICALL_TIME_ZONE", "Europe/Pariss", ("QUALICALL_TIME_ZONE='Europe/Pariss'", "unknown time zone", "Europe/Paris")),
])
def test_a_setting_refused_is_one_line_naming_its_variable(tmp_path, variable, value, words):
    # An operator's review: a 50-line traceback of pydantic's naming the field (max_upload_mb), not the variable.
    done = run_cli("db", "upgrade", env={"QUALICALL_DATA_DIR": str(tmp_path), variable: value}, timeout=120)
    assert "Traceback" not in done.stderr and one_line_error(done, *words), done.stderr[-500:]


@pytest.mark.slow
def test_a_database_url_the_service_cannot_use_is_one_line(tmp_path, postgres):
    """An operator's review: « mysql:// », « postgresql+psycopg2:// » (modules not installed) and a PostgreSQL role
    without the right to create tables were tracebacks of 57 to 125 lines; « postgres:// » is PostgreSQL's too."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(postgres.url, isolation_level="AUTOCOMMIT")
    database = postgres.database("qualicall_no_rights").rsplit("/", 1)[1]
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text("CREATE ROLE reader LOGIN"))
        connection.execute(sqlalchemy.text(f'REVOKE CREATE ON DATABASE "{database}" FROM PUBLIC'))
    admin.dispose()
    server = f"127.0.0.1:{postgres.port}"
    cases = {"mysql://a@b/c": ("unsupported database URL", "postgresql://"),
             "postgresql+psycopg2://a@b/c": ("unsupported database URL",),
             f"postgresql://reader@{server}/{database}": ("the database refused the schema", "permission denied"),
             f"postgres://postgres@{server}/{database}": ()}
    for url, words in cases.items():
        done = run_cli("db", "upgrade", env={"QUALICALL_DATA_DIR": str(tmp_path), "QUALICALL_DATABASE_URL": url}, timeout=120)
        if words:
            assert "Traceback" not in done.stderr and one_line_error(done, *words), (url, done.stderr[-600:])
        else:
            assert done.returncode == 0 and "database at revision" in done.stdout, (url, done.stderr[-600:])


@pytest.mark.parametrize("variable, value, words", [
    ("QUALICALL_RUBRIC", "nope", ("QUALICALL_RUBRIC='nope'", "unknown rubric 'nope'", "default-fr")),
    ("QUALICALL_RECORDINGS_ROOT", "/nonexistent/recordings", ("QUALICALL_RECORDINGS_ROOT='/nonexistent/recordings'", "no such folder")),
    # Told after the models had loaded (a host name), or as « File exists » (a data folder that is a file).
    ("QUALICALL_HOST", "no-such-host.invalid", ("QUALICALL_HOST='no-such-host.invalid'", "cannot be resolved")),
    ("QUALICALL_DATA_DIR", "/etc/hostname", ("QUALICALL_DATA_DIR='/etc/hostname'", "a file, not a folder")),
])
def test_serve_checks_what_its_settings_name_before_starting(tmp_path, variable, value, words):
    # An operator's review: an unknown rubric was a traceback of 89 lines once the models had loaded; a recordings root
    # that does not exist was taken silently, every reference then refused.
    done = run_cli("serve", "--workers", "1", "--port", "1", env={"QUALICALL_DATA_DIR": str(tmp_path), variable: value}, timeout=120)
    assert one_line_error(done, *words), done.stderr[-500:]


def test_serve_says_its_port_is_taken_before_loading_anything(tmp_path):
    import socket
    import time

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = run_cli("serve", "--workers", "1", "--port", str(port), env={"QUALICALL_DATA_DIR": str(tmp_path)}, timeout=120)
        seconds = time.monotonic() - started
    assert one_line_error(done, f"cannot listen on 127.0.0.1:{port}", "Address already in use"), done.stderr[-500:]
    assert seconds < 10  # (no model loaded first: a process start and the schema)


@pytest.mark.parametrize("name", ["", "   ", "a\nb", " julie.martin"])
def test_a_user_name_no_one_could_tell_apart_is_refused(cli, tmp_path, name):
    # An operator's review: an empty name, one on two lines, « julie.martin » again behind a space were all created.
    env = {"QUALICALL_DATA_DIR": str(tmp_path), "QUALICALL_DATABASE_URL": None}
    done = cli("user", "create", name, "--password", "Passw0rd-xxx", env=env)
    assert one_line_error(done, "user name"), done.stderr
    assert name not in cli("user", "list", env=env).stdout.splitlines()
