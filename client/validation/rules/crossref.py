"""Rules across trajecten within one file: R-GEM-04/05/06, R-LEV-03, R-CLIENT-OVL-01/02, R-DUP-01.

The state is kept compact so that a file of a million trajecten stays within memory: per BSN one
packed int (start day, end day, levering, traject) or a short list of them; per levering the set
of gemeentecodes and a map of client addresses (cleared at the end of the levering); per traject
a 64-bit digest for exact duplicates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from client.privacy import mask_bsn
from client.validation.parse import rendering_digest
from client.validation.rules.context import Ctx, E, I, W, pstr, show
from client.validation.rules.gemeente import GemCode, check_code_format, classify

__all__ = ["FileState"]

_OPEN = (1 << 22) - 1  # end-day sentinel for an open traject (ordinals are < 2**20)
_TI_BITS = 28
_LI_BITS = 16
# Caps that keep the overlap checks linear: a BSN in more trajecten than this is a placeholder or a data
# error already reported; an address shared by more trajecten is an institution (a shelter, a postadres),
# not a pair of partners.
MAX_PER_BSN = 32
MAX_PER_ADDRESS = 8


def _pack(start: int, end: int, li: int, ti: int) -> int:
    return (((start << 22 | end) << _LI_BITS | (li & 0xFFFF)) << _TI_BITS) | (ti & ((1 << _TI_BITS) - 1))


def _unpack(v: int) -> tuple[int, int, int, int]:
    ti = v & ((1 << _TI_BITS) - 1)
    v >>= _TI_BITS
    li = v & 0xFFFF
    v >>= _LI_BITS
    return v >> 22, v & ((1 << 22) - 1), li, ti


class FileState:
    """Compact cross-traject state for one file."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.bsn: dict[int, int | list[int]] = {}
        self.digests: dict[int, int] = {}
        self.notation: tuple[bool, str] | None = None  # (GM-prefix?, path) of the first code in the file
        self.notation_reported = False
        self.leveringen: list[tuple[tuple[Any, ...], frozenset[int | str], int]] = []
        self.lev_reset(-1, None)

    # ---- levering scope -------------------------------------------------------------------------
    def lev_reset(self, li: int, org: dict[str, Any] | None) -> None:
        self.li = li
        self.org_key: tuple[Any, ...] | None = None
        self.org_norm: int | None = None
        self.org_code: str | None = None
        if org is not None:
            self.org_key = (
                pstr(org.get("(Statutaire) Naam")),
                pstr(org.get("KvK-nummer")),
                pstr(org.get("gemeentecode")),
            )
            code = pstr(org.get("gemeentecode"))
            if code is not None:
                info = classify(code)
                self.org_norm, self.org_code = info.norm, code
        self.first_code: tuple[int, str, int] | None = None  # (norm, raw, traject index)
        self.reported_codes: set[int] = set()
        self.onbekend_at: int | None = None
        self.onbekend_mix_reported = False
        self.codes: set[int | str] = set()
        # the last traject gemeentecode that gave no finding: the same code again changes nothing
        self.quiet_code: str | None = None
        self.addresses: dict[str, tuple[int, ...] | list[tuple[int, ...]]] = {}

    def lev_end(self, li: int, emit_rel: str) -> list[tuple[str, str]]:
        """R-LEV-03: returns (path, message) pairs; remembers this levering's key and codes."""
        found: list[tuple[str, str]] = []
        if self.org_key is not None and any(self.org_key) and self.codes:
            codes = frozenset(self.codes)
            for key, other, oli in self.leveringen:
                if key == self.org_key and codes & other:
                    shared = sorted(str(x) for x in codes & other)[:3]
                    found.append(
                        (
                            emit_rel,
                            f"Levering {li} has the same organisation and gemeente ({', '.join(shared)}) as "
                            f"levering {oli}.",
                        )
                    )
                    break
            self.leveringen.append((self.org_key, codes, li))
        self.addresses = {}
        return found

    # ---- per traject ----------------------------------------------------------------------------
    def note_code_notation(self, c: Ctx, rel: str, info: GemCode, code: str) -> None:
        """R-GEM-06: 0363 and GM0363 mixed within one file (reported once)."""
        if info.norm is None or self.notation_reported:
            return
        if self.notation is None:
            self.notation = (info.gm, c.path(rel))
        elif self.notation[0] != info.gm:
            self.notation_reported = True
            c.add(
                "R-GEM-06",
                W,
                rel,
                f"Gemeentecode {show(code)} uses a different notation than the first code in the file "
                f"(at {self.notation[1]}).",
                "Use one notation throughout the file: GM + 4 digits (GM0363) or 4 digits (0363).",
            )

    def gemeente(self, c: Ctx) -> None:
        """R-GEM-01..06 for the traject's gemeentecode."""
        code = c.t.get("gemeentecode")
        if type(code) is not str:
            return
        if code == self.quiet_code:
            return
        out = c.out
        before = len(out)
        self._gemeente(c, code)
        if len(out) == before and classify(code).kind == "ok":
            # state after a quiet "ok" code is a fixed point for that code: a repeat is quiet too
            self.quiet_code = code
        else:
            self.quiet_code = None

    def _gemeente(self, c: Ctx, code: str) -> None:
        info = classify(code)
        check_code_format(c, "/gemeentecode", code, info, traject=True)
        kind, norm = info.kind, info.norm
        if kind == "onbekend":
            if self.onbekend_at is None:
                self.onbekend_at = c.ti
            if self.first_code is not None and not self.onbekend_mix_reported:
                self._mix(c, self.first_code[1])
            self.codes.add("Onbekend")
            return
        if norm is None:
            return
        self.codes.add(norm)
        self.note_code_notation(c, "/gemeentecode", info, code)
        first = self.first_code
        if first is None:
            self.first_code = (norm, code, c.ti)
            if self.onbekend_at is not None and not self.onbekend_mix_reported:
                self._mix(c, code)
        elif norm != first[0] and norm not in self.reported_codes:
            self.reported_codes.add(norm)
            c.add(
                "R-GEM-04",
                E,
                "/gemeentecode",
                f"Gemeentecode {show(code)} differs from {show(first[1])} of traject {first[2]} in the "
                "same levering.",
                "All trajecten of one levering belong to one responsible gemeente: put each "
                "gemeente's trajecten "
                "in its own levering (with its own teller).",
            )
        if self.org_norm is not None and norm != self.org_norm:
            c.add(
                "R-GEM-05",
                W,
                "/gemeentecode",
                f"Gemeentecode {show(code)} differs from the delivering gemeente's code "
                f"{show(self.org_code)}.",
                "When a gemeente delivers itself, its trajecten carry its own gemeentecode.",
            )

    def _mix(self, c: Ctx, real: str) -> None:
        self.onbekend_mix_reported = True
        c.add(
            "R-GEM-04",
            W,
            "/gemeentecode",
            f"The levering mixes gemeentecode {show(real)} with 'Onbekend'.",
            "The sources do not say where Onbekend trajecten go; prefer recording the responsible gemeente.",
        )

    def clients(self, c: Ctx) -> None:
        """R-CLIENT-OVL-01 (same BSN, overlapping trajecten) and R-CLIENT-OVL-02 (shared address)."""
        clients = c.t.get("client")
        if type(clients) is not list or not clients:
            return
        start = c.start_any
        if start is None:
            return
        s = start.toordinal()
        end = c.end
        e = end.toordinal() if end is not None else _OPEN
        li, ti = c.li, c.ti
        packed = _pack(s, e, li, ti)
        by_bsn = self.bsn
        bsns: list[int] = []
        akeys: list[str] = []
        for k, cl in enumerate(clients):
            if type(cl) is not dict:
                continue
            bsn = cl.get("Burgerservicenummer")
            if (
                type(bsn) is str
                and len(bsn) == 9
                and bsn.isdigit()
                and bsn.isascii()
                and bsn.count(bsn[0]) != 9  # placeholders (R-ID-BSN-03) identify nobody
            ):
                key = int(bsn)
                bsns.append(key)
                prev = by_bsn.get(key)
                if prev is None:
                    by_bsn[key] = packed
                else:
                    self._bsn_overlap(c, k, bsn, prev, packed, s, e, li, ti)
            pc = cl.get("Postcode")
            if type(pc) is str and pc:
                hn = cl.get("Huisnummer")
                if type(hn) is str and hn:
                    tv = cl.get("Huisnummertoevoeging")
                    akey = f"{pc}|{hn}|{tv}" if type(tv) is str else f"{pc}|{hn}"  # one string built
                    if akey not in akeys:
                        akeys.append(akey)
        if akeys:
            self._address_overlap(c, akeys, s, e, ti, bsns)

    def _bsn_overlap(
        self, c: Ctx, k: int, bsn: str, prev: int | list[int], packed: int, s: int, e: int, li: int, ti: int
    ) -> None:
        entries = prev if isinstance(prev, list) else [prev]
        for v in entries:
            ps, pe, pli, pti = _unpack(v)
            if ps <= e and s <= pe and not (pli == li and pti == ti):
                where = f"traject {pti}" + (" of this levering" if pli == li else f" of levering {pli}")
                c.add(
                    "R-CLIENT-OVL-01",
                    W,
                    f"/client/{k}/Burgerservicenummer",
                    f"The client with BSN {mask_bsn(bsn)} also appears in {where} "
                    f"({date.fromordinal(ps)} .. {'open' if pe == _OPEN else date.fromordinal(pe)}), "
                    "and the two overlap.",
                    "A client has one traject at a time: CBS merges overlapping trajecten of the same "
                    "client. "
                    "Merge them, or correct the start and end dates.",
                )
                break
        if isinstance(prev, list):
            if len(prev) < MAX_PER_BSN:
                prev.append(packed)
        else:
            self.bsn[int(bsn)] = [prev, packed]

    def _address_overlap(self, c: Ctx, akeys: list[str], s: int, e: int, ti: int, bsns: list[int]) -> None:
        here = (s << 22 | e) << _TI_BITS | ti
        entry = (here, *bsns)
        reported = False
        addresses = self.addresses
        for akey in akeys:
            seen = addresses.get(akey)
            if seen is None:
                addresses[akey] = entry
                continue
            many = seen if isinstance(seen, list) else [seen]
            if not reported:
                for other in many:
                    pti = other[0] & ((1 << _TI_BITS) - 1)
                    rest = other[0] >> _TI_BITS
                    ps, pe = rest >> 22, rest & ((1 << 22) - 1)
                    if pti != ti and ps <= e and s <= pe and not any(b in bsns for b in other[1:]):
                        reported = True
                        c.add(
                            "R-CLIENT-OVL-02",
                            I,
                            "/client",
                            "A client of this traject lives at the same address as a client of "
                            f"traject {pti}, "
                            "and the trajecten overlap.",
                            "Partners who are married or jointly liable belong in one traject (max. 2 "
                            "clients).",
                        )
                        break
            if isinstance(seen, list):
                if len(seen) < MAX_PER_ADDRESS:
                    seen.append(entry)
            else:
                addresses[akey] = [seen, entry]

    def duplicate(self, c: Ctx) -> None:
        """R-DUP-01: a traject byte-identical to an earlier one in the file (64-bit digest of its JSON)."""
        digest = c.digest
        if digest is None:
            digest = rendering_digest(c.t)
            if digest is None:
                return
        prev = self.digests.get(digest)
        if prev is None:
            self.digests[digest] = (c.li << _TI_BITS) | c.ti
            return
        pli, pti = prev >> _TI_BITS, prev & ((1 << _TI_BITS) - 1)
        c.add(
            "R-DUP-01",
            W,
            "",
            f"The traject is an exact duplicate of traject {pti} of levering {pli}.",
            "Deliver each traject once: remove the duplicate.",
        )
