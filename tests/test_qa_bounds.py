"""Bounded input (issue 9, C): pagination numbers, signature headers, body sizes, disk full, stale files.

Every number, size, depth and count taken from outside has a limit and a precise 4xx or exit code; these
tests send the absurd values over real HTTP (uvicorn on loopback) or through the real CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from client.devtools.keys import DevKeys
from client.validation.findings import Severity
from client.validation.rules.api import MAX_TOTAL_PAGES, check_paginering, total_pages_problem
from mock_server.settings import PeriodConfig
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(120)

TODAY = date(2026, 11, 28)


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


class _Mock:
    def __init__(self, url: str, keys: DevKeys, client: MockClient) -> None:
        self.url = url
        self.keys = keys
        self.client = client


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Mock]:
    tmp = tmp_path_factory.mktemp("bounds-mock")
    settings = dev_settings(tmp, periods=[PeriodConfig(code="2026H1")], today=TODAY, rate_limit_per_second=0)
    with running_mock(settings) as url:
        keys = DevKeys.load(tmp / "keys")
        with MockClient(url, keys.signer()) as client:
            yield _Mock(url, keys, client)


# ------------------------------------------------------------------------------- 8. paginering.totalPages


def _emitted(pag: dict[str, Any], trajecten: int = 1) -> list[tuple[str, Severity, str, str]]:
    out: list[tuple[str, Severity, str, str]] = []
    check_paginering(pag, trajecten, lambda code, sev, path, msg, hint: out.append((code, sev, path, msg)))
    return out


@pytest.mark.parametrize("total_pages", [MAX_TOTAL_PAGES + 1, 10**9, 2**63, 2**70])
def test_total_pages_over_the_limit_is_an_error(total_pages: int) -> None:
    pag = {"pageSize": 1, "currentPage": 1, "totalPages": total_pages, "totalRecords": total_pages}
    found = _emitted(pag)
    errors = [f for f in found if f[1] is Severity.ERROR]
    assert [(f[0], f[2]) for f in errors] == [("R-API-02", "/paginering/totalPages")]
    assert "at most 10,000" in errors[0][3]


def test_total_pages_impossible_for_the_records_is_an_error_and_a_combined_sequence_a_warning() -> None:
    # 1e9 pages for one record on pages of 25,000: impossible either way
    assert total_pages_problem(1000, 1, 25_000) is not None
    # 10 records in pages of 5 cannot fit on 1 page
    assert total_pages_problem(1, 10, 5) is not None
    # the empty delivery is one page
    assert total_pages_problem(1, 0, 25_000) is None
    assert total_pages_problem(2, 0, 25_000) is not None
    # two deliveries of 6 in pages of 5 make 4 pages, not ceil(12/5) = 3: a warning only
    found = _emitted({"pageSize": 5, "currentPage": 1, "totalPages": 4, "totalRecords": 12}, trajecten=5)
    assert [(f[0], f[1]) for f in found] == [("R-API-02", Severity.WARNING)]


@pytest.mark.parametrize("total_pages", [10**9, 2**63, 2**64 - 1])
def test_mock_refuses_an_absurd_total_pages_with_400(mock: _Mock, total_pages: int) -> None:
    document = make_document("2026H1", 2, seed=7)
    body = envelope(
        document, {"pageSize": 25_000, "currentPage": 1, "totalPages": total_pages, "totalRecords": 2}
    )
    problem = _problem(mock.client.deliver(body), 400)
    codes = {(f["code"], f["path"]) for f in problem.get("findings", [])}
    assert ("R-API-02", "/paginering/totalPages") in codes, problem
    # the mock is still healthy and has stored nothing for the refused page
    assert mock.client.get("/aanleveringen").status_code == 200


def test_missing_pages_are_listed_without_walking_a_range_from_input() -> None:
    from mock_server.technical_check import MAX_LISTED_MISSING, missing_pages

    assert missing_pages([1, 3], 4) == [2, 4]
    # a stored total beyond the limit (an old database) still lists a bounded number of pages
    assert len(missing_pages([], 10**12)) == MAX_LISTED_MISSING


@pytest.mark.parametrize(
    ("pag", "fragment"),
    [
        ({"pageSize": 25_000, "currentPage": 1, "totalPages": 10**9, "totalRecords": 2}, "at most 10,000"),
        ({"pageSize": 25_000, "currentPage": 1, "totalPages": 2**63, "totalRecords": 2**63}, "at most"),
        ({"pageSize": 1, "currentPage": 1, "totalPages": 9, "totalRecords": 3}, "make 3"),
        ({"pageSize": 1, "currentPage": 1, "totalPages": 1e9, "totalRecords": 3}, "integers"),
    ],
)
def test_puller_checks_total_pages_before_asking_page_two(pag: dict[str, Any], fragment: str) -> None:
    from mock_server.puller import PullError, declared_total_pages

    with pytest.raises(PullError) as caught:
        declared_total_pages(pag)
    assert caught.value.kind == "refused" and fragment in caught.value.message
    assert declared_total_pages({"pageSize": 2, "currentPage": 1, "totalPages": 2, "totalRecords": 3}) == 2
    assert declared_total_pages(None) == 1


@pytest.mark.timeout(60)
def test_provider_refuses_a_page_size_that_makes_too_many_pages(
    tmp_path: Path, keys: DevKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from client.devtools.generate import write_export
    from client.provider.testing import ProviderClient, dev_provider_settings, running_provider

    export = tmp_path / "three.json"
    write_export(export, trajecten=3, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=12)
    monkeypatch.setattr("client.provider.app.MAX_TOTAL_PAGES", 2)  # 3 trajecten stand in for 10,001
    h1 = {"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"}
    settings = dev_provider_settings([export], keys.dir, today=TODAY)
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        refused = client.post({**h1, "pageSize": 1})
        served = client.post({**h1, "pageSize": 2})
    problem = _problem(refused, 400)
    assert problem["errors"][0]["location"] == "#/pageSize"
    assert "at least 2" in problem["detail"]
    assert served.status_code == 200 and served.json()["paginering"]["totalPages"] == 2


# --------------------------------------------------------------------------------- 9. signature headers


def _b64(data: bytes) -> str:
    from client.wire.signing import b64url_encode

    return b64url_encode(data)


def _nested(levels: int) -> bytes:
    return b'{"alg":"PS256","x":' + b"[" * levels + b"]" * levels + b"}"


GARBAGE_HEADERS = {
    "nested": _b64(_nested(5000)) + ".." + _b64(b"sig"),
    "too-many-names": _b64(
        orjson.dumps({"alg": "PS256", "b64": False, "crit": ["b64", *(f"n{i}" for i in range(40))]})
    )
    + ".."
    + _b64(b"sig"),
    "iat-1e300": _b64(b'{"alg":"PS256","iat":1e300}') + ".." + _b64(b"sig"),
    "iat-minus-1e15": _b64(b'{"alg":"PS256","iat":-1e15}') + ".." + _b64(b"sig"),
    "sigT-garbage": _b64(b'{"alg":"PS256","sigT":"9999999-99-99"}') + ".." + _b64(b"sig"),
    "huge-int": _b64(b'{"alg":"PS256","iat":' + b"9" * 400 + b"}") + ".." + _b64(b"sig"),
}


@pytest.mark.parametrize("kind", sorted(GARBAGE_HEADERS))
def test_mock_answers_garbage_signature_headers_with_400(mock: _Mock, kind: str) -> None:
    from client.wire.signing import digest_header

    body = envelope(make_document("2026H1", 1, seed=3))
    headers = {"Digest": digest_header(body), "nlgov-adr-payload-sig": GARBAGE_HEADERS[kind]}
    problem = _problem(mock.client.deliver(body, sign=False, headers=headers), 400)
    assert problem.get("reason") == "signature-malformed", problem


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["nested", "iat-1e300", "iat-minus-1e15"])
def test_provider_answers_garbage_signature_headers_with_400(
    tmp_path: Path, keys: DevKeys, kind: str
) -> None:
    from client.devtools.generate import write_export
    from client.provider.testing import ProviderClient, dev_provider_settings, running_provider

    export = tmp_path / "one.json"
    write_export(export, trajecten=1, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=2)
    settings = dev_provider_settings([export], keys.dir, today=TODAY)
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        body = orjson.dumps({})
        from client.wire.signing import digest_header

        response = client.post(
            body,
            profile=None,
            headers={"Digest": digest_header(body), "nlgov-adr-payload-sig": GARBAGE_HEADERS[kind]},
        )
    problem = _problem(response, 400)
    assert "signature" in orjson.dumps(problem).decode()


def test_an_oversized_signature_header_is_malformed_before_it_is_decoded() -> None:
    from client.wire.signing import SignatureError, Verifier

    value = _b64(b'{"alg":"PS256","x":"' + b"a" * 40_000 + b'"}') + ".." + _b64(b"sig")
    with pytest.raises(SignatureError) as caught:
        Verifier().verify(b"{}", {"nlgov-adr-payload-sig": value})
    assert (caught.value.reason, caught.value.status) == ("signature-malformed", 400)
    assert "too long" in caught.value.message


def _verify_forged(header_changes: dict[str, Any], **verifier_kwargs: Any) -> Any:
    from client.wire.signing import Verifier
    from tests.test_wire_helpers import adr_header, forge, pki

    p = pki()
    body = b'{"gegevens":{}}'
    headers = forge(adr_header([p.signer_cert, p.ca], **header_changes), body, p.signer_key)
    return Verifier([p.ca], **verifier_kwargs).verify(body, headers)


def _refused(header_changes: dict[str, Any], reason: str, status: int, **kwargs: Any) -> str:
    from client.wire.signing import SignatureError

    with pytest.raises(SignatureError) as caught:
        _verify_forged(header_changes, **kwargs)
    assert (caught.value.reason, caught.value.status) == (reason, status), caught.value.message
    return caught.value.message


def test_signing_time_must_lie_within_the_configured_skew() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    assert _verify_forged({"sigT": (now - timedelta(minutes=14)).strftime(stamp)}).signing_time
    message = _refused({"sigT": (now - timedelta(minutes=16)).strftime(stamp)}, "signing-time-skew", 401)
    assert "15 minutes" in message
    _refused({"sigT": (now + timedelta(hours=1)).strftime(stamp)}, "signing-time-skew", 401)
    _refused({"sigT": None, "iat": int((now - timedelta(days=2)).timestamp())}, "signing-time-skew", 401)
    # configurable: a wider window accepts it, None switches the check off
    assert _verify_forged({"sigT": (now - timedelta(hours=1)).strftime(stamp)}, max_skew=timedelta(hours=2))
    assert _verify_forged({"sigT": "2001-01-01T00:00:00Z"}, max_skew=None)
    # no time at all is no time: not checked (profile B carries none)
    assert _verify_forged({"sigT": None}).signing_time is None


@pytest.mark.parametrize(
    "changes",
    [
        {"sigT": None, "iat": 1e300},
        {"sigT": None, "iat": -1e15},
        {"sigT": None, "iat": True},
        {"sigT": "soon"},
    ],
)
def test_unrepresentable_signing_times_are_malformed(changes: dict[str, Any]) -> None:
    _refused(changes, "signature-malformed", 400)


def test_b64_false_requires_crit() -> None:
    assert "crit" in _refused({"crit": None}, "signature-malformed", 400)
    _refused({"crit": ["sigD"]}, "signature-malformed", 400)


def test_signer_certificate_must_be_an_end_entity_for_signing() -> None:
    from cryptography import x509

    from client.devtools.keys import issue_certificate
    from client.wire.signing import SignatureError, Signer, Verifier, signing_certificate_problem
    from tests.test_wire_helpers import adr_header, forge, pki

    p = pki()
    # a CA certificate cannot sign: the Signer refuses it, and so does the verifier when forged
    ca_key, ca_cert = p.ca_key, p.ca
    with pytest.raises(ValueError, match="CA certificate"):
        Signer(ca_key, [ca_cert], "ca")
    body = b"{}"
    headers = forge(adr_header([ca_cert]), body, ca_key)
    with pytest.raises(SignatureError) as caught:
        Verifier([ca_cert]).verify(body, headers)
    assert caught.value.reason == "certificate-not-for-signing"
    # a TLS server certificate (keyEncipherment + digitalSignature) may sign; keyEncipherment alone not
    _, tls = issue_certificate(p.ca_key, p.ca, "tls", server=True)
    assert signing_certificate_problem(tls) is None
    key, enc_only = issue_certificate(p.ca_key, p.ca, "enc-only", key=p.signer_key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(enc_only.subject)
        .issuer_name(p.ca.subject)
        .public_key(p.signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(enc_only.not_valid_before_utc)
        .not_valid_after(enc_only.not_valid_after_utc)
        .add_extension(
            x509.KeyUsage(False, False, True, False, False, False, False, False, False), critical=True
        )
    )
    from cryptography.hazmat.primitives import hashes

    enc_cert = builder.sign(p.ca_key, hashes.SHA256())
    problem = signing_certificate_problem(enc_cert)
    assert problem is not None and "digitalSignature" in problem
    with pytest.raises(ValueError, match="digitalSignature"):
        Signer(p.signer_key, [enc_cert, p.ca], "enc")
    assert key is not None


def test_dev_keys_pass_the_signer_policy(keys: DevKeys) -> None:
    from client.wire.signing import signing_certificate_problem

    assert signing_certificate_problem(keys.chain()[0]) is None
    body = b'{"gegevens":{}}'
    assert keys.verifier().verify(body, keys.signer().sign(body)).kid


class _GarbageSignatures:
    """ASGI wrapper: the mock's answers, with their signature header replaced by `value`."""

    def __init__(self, app: Any, value: str) -> None:
        self.app = app
        self.value = value.encode("ascii")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def swap(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"nlgov-adr-payload-sig"]
                message = {**message, "headers": [*headers, (b"nlgov-adr-payload-sig", self.value)]}
            await send(message)

        await self.app(scope, receive, swap)


@pytest.mark.parametrize("kind", ["nested", "iat-1e300", "iat-minus-1e15"])
def test_push_reports_a_receiver_answering_garbage_signatures_in_one_line(
    tmp_path: Path, keys: DevKeys, kind: str
) -> None:
    from click.testing import CliRunner

    from client.cli import app as cli
    from client.devtools.generate import write_export
    from client.wire.serving import serve_in_thread
    from mock_server.app import create_app
    from mock_server.settings import MockSettings

    export = tmp_path / "export.json"
    write_export(export, trajecten=3, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=4)
    settings = MockSettings(
        db=str(tmp_path / "mock.sqlite"), dev_dir=keys.dir, today=TODAY, processing_delay_seconds=0.0
    )
    mock_app = create_app(settings)
    with serve_in_thread(_GarbageSignatures(mock_app, GARBAGE_HEADERS[kind])) as url:
        result = CliRunner().invoke(
            cli,
            [
                "push", str(export), "--period", "2026H1", "--dev", str(keys.dir),
                "--base-url", url + "/v1", "--journal", str(tmp_path / "journal.sqlite"),
            ],
        )  # fmt: skip
    mock_app.state.mock.store.close()
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    # one line in the report (stdout) and one in the log (stderr), naming what was wrong
    for stream in (result.stdout, result.stderr):
        lines = [line for line in stream.splitlines() if "no valid signature" in line]
        assert len(lines) == 1 and "not trusting it" in lines[0], result.output


# ------------------------------------------------------------------------------------------ 12. disk full


class _FullDisk:
    """Stands in for the journal's SQLite connection: after `allowed` writes, the disk is full."""

    def __init__(self, db: Any, allowed: int, seen: list[tuple[int, int]]) -> None:
        self.db = db
        self.allowed = allowed
        self.seen = seen  # the journal's (deliveries, pages) rows when the disk ran full

    def execute(self, sql: str, args: Any = ()) -> Any:
        import sqlite3

        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            if self.allowed <= 0:
                counts = [
                    self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("deliveries", "pages")
                ]
                self.seen.append((counts[0], counts[1]))
                raise sqlite3.OperationalError("database or disk is full")
            self.allowed -= 1
        return self.db.execute(sql, args)

    def close(self) -> None:
        self.db.close()


def _journal_counts(path: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        deliveries = conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
        pages = conn.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    return int(deliveries), int(pages)


@pytest.mark.parametrize("allowed", [0, 5, 9])
def test_disk_full_while_journaling_is_one_line_exit_2_and_keeps_the_journal(
    tmp_path: Path, keys: DevKeys, monkeypatch: pytest.MonkeyPatch, allowed: int
) -> None:
    from click.testing import CliRunner

    from client.cli import app as cli
    from client.delivery import journal as journal_mod
    from tests.test_push_support import held, running_mock, write_export

    export = write_export(tmp_path / "export.json", 60, organisaties=2, seed=9)
    journal = tmp_path / "journal.sqlite"
    args = ["push", str(export), "--period", "2026H1", "--dev", str(keys.dir), "--journal", str(journal)]
    original = journal_mod._Guarded.__init__
    monkeypatch.setenv("DDAS_PAGE_SIZE", "20")  # several pages per delivery: several journal writes each

    seen: list[tuple[int, int]] = []

    def full_after(self: Any, db: Any, path: Path) -> None:
        original(self, _FullDisk(db, allowed, seen), path)

    with running_mock(tmp_path / "mock.sqlite", keys.dir) as url:
        with monkeypatch.context() as patch:
            patch.setattr(journal_mod._Guarded, "__init__", full_after)
            failed = CliRunner().invoke(cli, [*args, "--base-url", url])
        assert failed.exit_code == 2, failed.output
        assert isinstance(failed.exception, SystemExit) and "Traceback" not in failed.output
        lines = [line for line in failed.output.splitlines() if "disk is full" in line]
        assert len(lines) == 1 and str(journal) in lines[0], failed.output
        before = _journal_counts(journal)
        assert before == seen[0]  # every row journaled before the disk ran full is still there
        assert allowed < 5 or sum(before) > 0
        # with space again the run resumes: each delivery arrives exactly once
        again = CliRunner().invoke(cli, [*args, "--base-url", url])
        assert again.exit_code == 0, again.output
        deliveries, pages = _journal_counts(journal)
        assert deliveries == 2 and pages >= before[1]
        holding = held(tmp_path / "mock.sqlite")
        accepted = [d for d in holding.deliveries if d["status"] == "technisch_goedgekeurd"]
        assert len(accepted) == 2


def test_unreadable_json_in_the_journal_is_a_clear_message_exit_2(tmp_path: Path, keys: DevKeys) -> None:
    import sqlite3

    from click.testing import CliRunner

    from client.cli import app as cli
    from client.delivery.journal import Journal

    journal = tmp_path / "journal.sqlite"
    with Journal(journal) as jr:
        jr.pin_delivery(
            receiver="http://127.0.0.1:1/v1", delivery_key="k", content_hash="h", period="2026H1",
            organisatie="gm:GM0001", uitvraagdeel="SHV", aanleverdatum="2026-07-01T08:00:00Z",
            total_pages=1, trajecten=1, filename="SHV_2026H1_X_SHV.json",
        )  # fmt: skip
    with sqlite3.connect(journal) as conn:
        conn.execute("UPDATE deliveries SET findings = ?", ('[{"code": "R-X", "message": ',))
    result = CliRunner().invoke(
        cli, ["status", "--offline", "--journal", str(journal), "--dev", str(keys.dir)]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert str(journal) in result.output and "unreadable" in result.output


def _split_sample(tmp_path: Path) -> list[Path]:
    from tests.test_planning_cli import _sample

    return _sample(tmp_path)


def _split(sources: list[Path], out: Path, page_size: int, *extra: str) -> Any:
    from click.testing import CliRunner

    from client.cli import app as cli

    args = ["split", *map(str, sources), "--period", "2026H1", "--page-size", str(page_size)]
    return CliRunner().invoke(cli, [*args, "--aanleverdatum", "2026-07-02T09:00:00Z", "-o", str(out), *extra])


def test_disk_full_while_splitting_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    sources = _split_sample(tmp_path)
    out = tmp_path / "out"
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = _split(sources, out, 4)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    text = " ".join(result.output.split())  # the message may be wrapped at the console width
    assert text.count("disk is full") == 1 and "free space there and run again" in text
    # the two files written before are complete; no temporary file is left behind
    assert len(list(out.glob("*.json"))) == 2 and not list(out.glob(".*"))


# ------------------------------------------------------------------------- 13. stale files of a split


def test_split_into_a_directory_of_an_earlier_run_removes_its_stale_page_files(tmp_path: Path) -> None:
    sources = _split_sample(tmp_path)
    out = tmp_path / "out"
    first = _split(sources, out, 4, "--zip")
    assert first.exit_code == 0, first.output
    assert (out / "SHV_2026H1.zip").exists()
    kredietbank = sorted(p.name for p in out.glob("SHV_2026H1_KredietbankMidden_SHV*.json"))
    assert len(kredietbank) == 3  # _p001-of-003 .. _p003-of-003
    unrelated = out / "SHV_2026H1_AndereOrganisatie_SHV_p001-of-002.json"
    unrelated.write_bytes(b"{}")  # another delivery's file: not this run's business
    notes = out / "notes.txt"
    notes.write_text("mine")

    second = _split(sources, out, 5)  # 10 trajecten: two pages now
    assert second.exit_code == 0, second.output
    now = sorted(p.name for p in out.glob("SHV_2026H1_KredietbankMidden_SHV*.json"))
    assert now == [
        "SHV_2026H1_KredietbankMidden_SHV_p001-of-002.json",
        "SHV_2026H1_KredietbankMidden_SHV_p002-of-002.json",
    ]
    assert "removed 4 file(s) of an earlier run" in second.output
    assert not (out / "SHV_2026H1.zip").exists()  # it held the three old pages
    assert unrelated.exists() and notes.read_text() == "mine"

    third = _split(sources, out, 25_000)  # one page: the single file, no page suffix
    assert third.exit_code == 0, third.output
    assert sorted(p.name for p in out.glob("SHV_2026H1_KredietbankMidden_SHV*.json")) == [
        "SHV_2026H1_KredietbankMidden_SHV.json"
    ]


# ------------------------------------------------------------------------ 11. large bodies, stdin, zip


def test_mock_checks_a_spooled_body_from_disk_like_one_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every body spooled (threshold 0): the three signing profiles, a wrong Digest, the stored page."""
    import tempfile

    from client.wire.signing import SigningProfile
    from mock_server.store import decompress

    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    monkeypatch.setattr("mock_server.spool.SPOOL_AT", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(spool_dir))
    settings = dev_settings(
        tmp_path, periods=[PeriodConfig(code="2026H1")], today=TODAY, lenient_signatures=True
    )
    with running_mock(settings) as url:
        keys = DevKeys.load(tmp_path / "keys")
        with MockClient(url, keys.signer()) as client:
            answers = {}
            for seed, profile in enumerate(SigningProfile, start=1):
                body = envelope(make_document("2026H1", 2, seed=seed))
                name = f"SHV_2026H1_Testorganisatie_P{profile.letter}.json"
                answers[profile] = (client.deliver(body, filename=name, profile=profile), body)
            body = envelope(make_document("2026H1", 2, seed=9))
            forged = {**keys.signer().sign(body), "Digest": "SHA-256=" + "A" * 43 + "="}
            wrong = client.deliver(body, sign=False, headers=forged)
            tampered = keys.signer(profile=SigningProfile.BODY).sign(body + b" ")
            bad_b = client.deliver(body, sign=False, headers={**tampered, "Digest": forged["Digest"]})
        store = running_store(settings)
    for profile, (response, _body) in answers.items():
        assert response.status_code == 202, (profile, response.text)
        assert response.headers["DDAS-Signature-Profile"] == profile.value
    assert _problem(wrong, 401)["reason"] == "digest-mismatch"
    assert bad_b.status_code == 401
    assert list(spool_dir.iterdir()) == []  # every spooled body was removed
    stored = {row[0]: decompress(row[1]) for row in store}
    assert {body for _response, body in answers.values()} <= set(stored.values())


def running_store(settings: Any) -> list[tuple[str, bytes]]:
    import sqlite3

    with sqlite3.connect(settings.db) as conn:
        return [(str(r[0]), bytes(r[1])) for r in conn.execute("SELECT body_sha256, body FROM pages")]


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))  # a regression fails, not the host


@pytest.mark.timeout(60)
def test_validate_dev_zero_on_stdin_ends_at_once() -> None:
    import subprocess
    import sys

    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from client.cli import main; main()",
                "validate",
                "-",
                "--format",
                "json",
            ],
            stdin=zero,
            capture_output=True,
            timeout=50,
            preexec_fn=_limit_memory,
        )
    assert done.returncode == 1, done.stderr.decode()[-500:]
    report = orjson.loads(done.stdout)
    findings = report["files"][0]["findings"] if "files" in report else report[0]["findings"]
    assert findings and findings[0]["severity"] == "error"
    assert b"Traceback" not in done.stderr


def test_stdin_is_validated_like_the_same_file(tmp_path: Path) -> None:
    import io

    from client.commands.validate import run_validate

    data = envelope(make_document("2026H1", 4, seed=5))
    path = tmp_path / "SHV_2026H1_X_SHV.json"
    path.write_bytes(data)
    from_file = run_validate([str(path)], envelope=True, check_name=False)
    from_stdin = run_validate(["-"], envelope=True, stdin=io.BytesIO(data))
    assert not from_stdin.problems
    assert [f.to_dict() for f in from_stdin.reports[0].findings] == [
        f.to_dict() for f in from_file.reports[0].findings
    ]
    assert from_stdin.reports[0].name == "<stdin>"


def test_stdin_over_the_limit_is_refused_and_the_spool_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import tempfile

    from client.commands.validate import run_validate
    from client.validation.sources import InputRefused, spooled_stdin

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    too_large = pytest.raises(InputRefused, match="larger than 2,000,000 bytes")
    with too_large, spooled_stdin(io.BytesIO(b"{" + b" " * 3_000_000), limit=2_000_000):
        pass
    monkeypatch.setattr("client.validation.sources.MAX_INPUT_BYTES", 1_000_000)
    outcome = run_validate(["-"], stdin=io.BytesIO(b"[" + b" " * 2_000_000 + b"]"))
    assert outcome.problems and "save it to a file" in outcome.problems[0][1]
    assert list(tmp_path.iterdir()) == []


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_bomb_and_oversized_zip_are_refused_before_extracting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from client.cli import app as cli

    good = envelope(make_document("2026H1", 2, seed=6))
    bomb = _zip(tmp_path / "bomb.zip", {"SHV_2026H1_X_SHV.json": b"{" + b" " * 50_000_000 + b"}"})
    result = CliRunner().invoke(cli, ["validate", str(bomb)])
    assert result.exit_code == 2, result.output
    assert "expands" in result.output and "at most 100 times" in result.output

    ok = _zip(tmp_path / "ok.zip", {"SHV_2026H1_X_SHV.json": good})
    assert CliRunner().invoke(cli, ["validate", str(ok), "--envelope"]).exit_code in (0, 1)
    monkeypatch.setattr("client.validation.sources.MAX_INPUT_BYTES", len(good) - 1)
    result = CliRunner().invoke(cli, ["validate", str(ok), "--envelope"])
    assert result.exit_code == 2 and "expands to" in result.output, result.output


def test_zip_members_count_is_bounded() -> None:
    import io
    import zipfile

    from client.validation.sources import InputRefused, check_zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(5):
            zf.writestr(f"f{i}.json", b"{}")
    with zipfile.ZipFile(buffer) as zf, pytest.raises(InputRefused, match="at most 4"):
        check_zip(zf, members=4)


def test_mock_refuses_a_stale_signature_and_its_skew_is_configurable(mock: _Mock, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from client.wire.signing import Signer

    body = envelope(make_document("2026H1", 1, seed=21))
    key = mock.keys.signer()._key
    old = datetime.now(UTC) - timedelta(minutes=20)
    stale = Signer(key, mock.keys.chain(), "dev", now=lambda: old).sign(body)
    problem = _problem(mock.client.deliver(body, sign=False, headers=stale), 401)
    assert problem["reason"] == "signing-time-skew" and "15 minutes" in problem["detail"]
    settings = dev_settings(
        tmp_path,
        periods=[PeriodConfig(code="2026H1")],
        today=TODAY,
        dev_dir=mock.keys.dir,
        signature_max_skew_seconds=3600,
    )
    with running_mock(settings) as url, MockClient(url, mock.keys.signer()) as client:
        assert client.deliver(body, sign=False, headers=stale).status_code == 202


def test_push_refuses_a_ca_certificate_as_signing_key_with_exit_2(
    tmp_path: Path, keys: DevKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from client.cli import app as cli
    from client.devtools.generate import write_export

    export = tmp_path / "export.json"
    write_export(export, trajecten=1, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=1)
    for name, value in {
        "CLIENT_ID": "dev",
        "CLIENT_SECRET": "dev",
        "SIGNING_KEY": str(keys.ca_key_path),  # the development CA's own key and certificate
        "SIGNING_CHAIN": str(keys.ca_path),
    }.items():
        monkeypatch.setenv(f"DDAS_{name}", value)
    result = CliRunner().invoke(
        cli,
        [
            "push", str(export), "--period", "2026H1",
            "--base-url", "http://127.0.0.1:9/v1", "--journal", str(tmp_path / "j.sqlite"),
        ],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "CA certificate" in result.output and "Traceback" not in result.output


def test_full_temporary_disk_while_planning_a_split_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from client.planning import store as store_mod

    original = store_mod.ByteStore.__init__

    def spill_at_once(self: Any, spill_at: int = 0) -> None:
        original(self, 0)

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_mod.ByteStore, "__init__", spill_at_once)
    monkeypatch.setattr(store_mod.tempfile, "TemporaryFile", full)
    result = _split(_split_sample(tmp_path), tmp_path / "out", 4)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    text = " ".join(result.output.split())  # the message may be wrapped at the console width
    assert text.count("disk is full") == 1 and "set TMPDIR" in text
