"""QA: no unmasked BSN anywhere a user or an operator can see it.

A dataset with BSN defects goes through every command and both servers; everything printed, logged or
answered is collected and searched for every 9-digit BSN of the dataset. Only the delivered payload
and the provider's 200 data may (and must) carry them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner

from client.cli import app as ddas_app
from client.devtools.keys import DevKeys, write_dev_keys
from mock_server.testing import MockClient, dev_settings, running_mock
from tests.test_push_support import settings_env

pytestmark = pytest.mark.timeout(90)

PERIOD = "2026H1"
DEFECTS = ("R-ID-BSN-02", "R-CLIENT-02", "R-ID-BSN-01")
LOGGERS = ("", "ddas", "client", "mock_server", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx")
ADMIN = "qa-admin-token"


class Collector(logging.Handler):
    """Keeps every log record, formatted with its exception text, for the search."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[Collector]:
    """DEBUG capture on every logger of the product, restored afterwards."""
    handler = Collector()
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.removeHandler(handler)
        logger.setLevel(saved[name])


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> DevKeys:
    return write_dev_keys(tmp_path_factory.mktemp("qa-privacy-keys"))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A 2026H1 export with BSN defects (and many valid BSNs); returns its path and its 9-digit BSNs."""
    from client.devtools.generate import write_export

    path = tmp_path_factory.mktemp("qa-privacy-data") / "export.json"
    write_export(
        path, trajecten=80, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=11, defects=DEFECTS
    )
    bsns = bsns_of(orjson.loads(path.read_bytes()))
    assert len(bsns) > 80  # clients of every traject, defects included
    return path, bsns


def bsns_of(document: Any) -> set[str]:
    """Every 9-digit Burgerservicenummer value in the document."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Burgerservicenummer" and isinstance(value, str) and re.fullmatch(r"\d{9}", value):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return found


def assert_clean(label: str, text: str, bsns: set[str]) -> None:
    leaked = sorted(b for b in bsns if b in text)
    if leaked:
        at = text.find(leaked[0])
        context = text[max(0, at - 120) : at + 20].replace(leaked[0], "<BSN>")
        pytest.fail(f"{label}: {len(leaked)} unmasked BSN(s), e.g. …{context}…")


def cli(*args: str | Path, env: dict[str, str] | None = None) -> Any:
    return CliRunner(env=env).invoke(ddas_app, [str(a) for a in args])


def test_local_commands_print_no_bsn(dataset: tuple[Path, set[str]], tmp_path: Path, logs: Collector) -> None:
    path, bsns = dataset
    runs = {
        "validate text": cli("validate", path, "--verbose", "--report"),
        "validate json": cli("validate", path, "--format", "json", "--verbose", "--report"),
        "validate strict": cli("validate", path, "--strict", "--verbose", "--max-findings", "1000"),
        "plan text": cli("plan", path, "--period", PERIOD),
        "plan json": cli("plan", path, "--period", PERIOD, "--format", "json", "--per-gemeente"),
        "split": cli("split", path, "-o", tmp_path / "out", "--period", PERIOD, "--rules", "--jobs", "1"),
        "push dry-run": cli(
            "push",
            path,
            "--period",
            PERIOD,
            "--dry-run",
            "--journal",
            tmp_path / "j.sqlite",
            "--format",
            "json",
        ),
    }
    for label, result in runs.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (label, result.exception)
        assert_clean(label, result.output, bsns)
    # the findings really are about BSNs (so the search above meant something)
    report = json.loads(runs["validate json"].stdout)
    codes = {f["code"] for f in report["files"][0]["findings"]} if "files" in report else set()
    text = runs["validate json"].stdout
    assert {"R-ID-BSN-02", "R-CLIENT-02"} <= codes or ("R-ID-BSN-02" in text and "R-CLIENT-02" in text)
    # the split files are the payload: they must carry the BSNs
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").glob("*.json"))
    assert any(b.encode() in written for b in bsns)
    assert_clean("logs (local commands)", "\n".join(logs.lines), bsns)


def _mock_texts(url: str, keys: DevKeys, payload: bytes, *, stored: bool) -> list[tuple[str, str]]:
    """Everything the receiver answers about its deliveries, plus raw bad pages that hold BSNs."""
    texts: list[tuple[str, str]] = []
    with MockClient(url, keys.signer(kid="qa")) as mc:
        # bad pages that hold BSNs: each answer must say what is wrong without repeating them
        bsn = re.search(rb'"Burgerservicenummer":\s*"(\d{9})"', payload)
        assert bsn is not None
        at = bsn.end()
        bad = {
            "truncated after a BSN": payload[:at],
            "garbage after a BSN": payload[:at] + b" x" + payload[at:],
            "BSN as a key": payload.replace(b'"Burgerservicenummer"', b'"' + bsn.group(1) + b'"', 1),
        }
        for label, body in bad.items():
            answer = mc.deliver(body)
            assert answer.status_code != 500, (label, answer.text)
            texts.append((f"mock answer: {label}", answer.text + json.dumps(dict(answer.headers))))
        unsigned = mc.deliver(payload, sign=False)
        assert unsigned.status_code in (400, 401), unsigned.text
        texts.append(("unsigned page", unsigned.text))
        # then everything the receiver says about its deliveries, these included
        listing = mc.get("/aanleveringen")
        texts.append(("delivery list", listing.text))
        items = listing.json()
        deliveries = items.get("aanleveringen", []) if isinstance(items, dict) else items
        assert bool(deliveries) == stored, listing.text  # strict: refused pages leave no delivery
        for d in deliveries:
            did = d["id"]
            texts.append((f"delivery {did}", mc.get(f"/aanleveringen/{did}").text))
            texts.append((f"report json {did}", mc.get(f"/aanleveringen/{did}/op-orde-rapport").text))
            html = mc.get(f"/aanleveringen/{did}/op-orde-rapport", headers={"Accept": "text/html"})
            texts.append((f"report html {did}", html.text))
        admin = httpx.get(f"{url}/admin/requests", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30)
        assert admin.status_code == 200, admin.text
        texts.append(("admin requests", admin.text))
    return texts


@pytest.mark.parametrize("profile", ["standard", "strict"])
def test_push_and_the_receiver_show_no_bsn(
    dataset: tuple[Path, set[str]], keys: DevKeys, tmp_path: Path, logs: Collector, profile: str
) -> None:
    path, bsns = dataset
    settings = dev_settings(tmp_path, dev_dir=keys.dir, admin_token=ADMIN, validation_profile=profile)
    with running_mock(settings) as url:
        env = settings_env(keys.dir, url, tmp_path / "journal.sqlite")
        common = ["--dev", str(keys.dir), "--base-url", url]
        push = cli("push", path, "--period", PERIOD, *common, env=env)
        # standard: BSN findings are warnings, accepted; strict: errors, rejected by the receiver
        assert push.exit_code == (0 if profile == "standard" else 1), push.output
        push_json = cli("push", path, "--period", PERIOD, "--format", "json", *common, env=env)
        status = cli("status", "--format", "json", *common, "--journal", tmp_path / "journal.sqlite", env=env)
        assert status.exit_code in (0, 1), status.output
        outputs = [("push", push.output), ("push json", push_json.output), ("status", status.output)]
        rows = json.loads(status.stdout)["deliveries"]
        for row in rows:
            rid = row.get("receiver_id") or row.get("id")
            if rid and profile == "standard":
                report = cli("report", rid, *common, "--html", tmp_path / "r.html", env=env)
                outputs.append(("report", report.output))
                outputs.append(("report html", (tmp_path / "r.html").read_text(encoding="utf-8")))
        stored = _pages(tmp_path / "mock.sqlite")
        if profile == "standard":  # the receiver holds the payload, with its BSNs
            assert any(b.encode() in stored for b in bsns)
        payload = b'{"gegevens": ' + path.read_bytes() + b"}"
        texts = _mock_texts(url, keys, payload, stored=profile == "standard")
        findings_text = "\n".join(t for _, t in texts)
        assert "R-ID-BSN-02" in findings_text + push.output  # findings concern BSNs
    for label, text in [*outputs, *texts]:
        assert_clean(f"{profile}: {label}", text, bsns)
    assert_clean(f"{profile}: logs", "\n".join(logs.lines), bsns)


def _pages(db: Path) -> bytes:
    """The payload the receiver holds (it must carry the BSNs: proves the search looks at real data)."""
    from mock_server.store import Store, decompress

    store = Store(db)
    try:
        with store.tx() as conn:
            rows = conn.execute("SELECT body FROM pages").fetchall()
    finally:
        store.close()
    return b"".join(decompress(bytes(row["body"])) for row in rows)


def test_provider_errors_show_no_bsn(dataset: tuple[Path, set[str]], keys: DevKeys, logs: Collector) -> None:
    from client.provider.testing import ProviderClient, dev_provider_settings, running_provider

    path, bsns = dataset
    bsn = sorted(bsns)[0]
    settings = dev_provider_settings([path], keys.dir, today=date(2026, 11, 28))
    with running_provider(settings) as url, ProviderClient(url, keys) as pc:
        ok = pc.post({"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"})
        assert ok.status_code == 200, ok.text
        assert bsns & set(re.findall(r"\d{9}", ok.text))  # the data itself carries them
        bad_requests: dict[str, Any] = {
            "organisation": {"aanleverende_organisatie": bsn},
            "unknown key": {bsn: 1},
            "unknown key value": {"bsn": bsn},
            "page": {"page": bsn},
            "pageSize": {"pageSize": bsn},
            "date": {"aanleverperiodeStartdatum": bsn, "aanleverperiodeEinddatum": bsn},
            "raw": b'{"page": ' + bsn.encode() + b"x}",
        }
        answers = []
        for label, request in bad_requests.items():
            answer = pc.post(request)
            answers.append((label, answer.status_code, answer.text + json.dumps(dict(answer.headers))))
        unsigned = pc.post({"aanleverende_organisatie": bsn}, profile=None)
        answers.append(("unsigned", unsigned.status_code, unsigned.text))
        wrong_token = pc.post({"aanleverende_organisatie": bsn}, token=bsn)
        answers.append(("token", wrong_token.status_code, wrong_token.text))
    for label, status, text in answers:
        assert status != 500, (label, text)
        assert_clean(f"provider {label} ({status})", text, bsns)
    assert_clean("provider logs", "\n".join(logs.lines), bsns)


def test_signing_and_transport_errors_show_no_bsn(dataset: tuple[Path, set[str]], keys: DevKeys) -> None:
    from client.delivery.push import ProblemAnswer
    from client.wire.signing import SignatureError, Verifier
    from client.wire.transport.retry import DeliveryHTTPError

    path, bsns = dataset
    bsn = sorted(bsns)[0]
    body = path.read_bytes()[:4000]
    signer = keys.signer(kid="qa")
    headers = signer.sign(body)
    verifier = Verifier(keys.trust_anchors())
    messages = []
    tampered = [
        body.replace(bsn.encode(), b"000000000") if bsn.encode() in body else body + b" ",
        body + b"\n",
        b'{"Burgerservicenummer": "' + bsn.encode() + b'"}',
    ]
    for changed in tampered:
        with pytest.raises(SignatureError) as caught:
            verifier.verify(changed, list(headers.items()))
        messages.append(str(caught.value) + repr(caught.value.__dict__))
    with pytest.raises(SignatureError) as caught:
        verifier.verify(body, [("Digest", headers["Digest"]), ("nlgov-adr-payload-sig", bsn)])
    messages.append(str(caught.value))
    request = httpx.Request("POST", "http://127.0.0.1/v1/aanleveringen")
    for status in (400, 422, 503):
        problem = {"title": "Bad page", "detail": f"client BSN {bsn} is wrong", "bsn": bsn}
        response = httpx.Response(status, json=problem, request=request)
        messages.append(str(ProblemAnswer(response)))
        messages.append(str(DeliveryHTTPError(response)))
        text_response = httpx.Response(status, text=f"BSN {bsn} rejected", request=request)
        messages.append(str(ProblemAnswer(text_response)))
    for i, message in enumerate(messages):
        assert_clean(f"exception {i}", message, bsns)


def test_pull_route_shows_no_bsn(
    dataset: tuple[Path, set[str]], keys: DevKeys, tmp_path: Path, logs: Collector
) -> None:
    from client.provider.testing import dev_provider_settings, running_provider
    from mock_server.cli import app as mock_app

    path, bsns = dataset
    settings = dev_provider_settings([path], keys.dir, today=date(2026, 11, 28))
    with running_provider(settings) as url:
        runs = [
            ["pull", url, "--dev", str(keys.dir), "--period", PERIOD, "--db", str(tmp_path / "pull.sqlite")],
            ["pull", url, "--dev", str(keys.dir), "--period", PERIOD, "--no-store", "--page-size", "7"],
            [
                "pull",
                url,
                "--dev",
                str(keys.dir),
                "--period",
                PERIOD,
                "--no-store",
                "--organisation",
                sorted(bsns)[0],
            ],
        ]
        results = [CliRunner().invoke(mock_app, argv) for argv in runs]
    assert results[0].exit_code in (0, 1), results[0].output
    from mock_server.store import Store

    store = Store(tmp_path / "pull.sqlite")
    try:
        with store.tx() as conn:
            stored = "\n".join(str(r[0]) for r in conn.execute("SELECT findings FROM deliveries"))
            stored += "\n".join(str(r[0]) for r in conn.execute("SELECT findings FROM pages"))
    finally:
        store.close()
    assert "R-ID-BSN-02" in stored  # what the receiver will answer about the pulled delivery
    assert_clean("pulled delivery's stored findings", stored, bsns)
    for argv, result in zip(runs, results, strict=True):
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert_clean(f"ddas-mock {' '.join(argv[3:])}", result.output, bsns)
    assert_clean("pull logs", "\n".join(logs.lines), bsns)
