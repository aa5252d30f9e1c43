#!/usr/bin/env python3
"""Writes cbor.json: hex vectors for Capnet's CBOR profile (spec/cbor.md).

Standard library only, and independent of Capnet's Java code: the canonical bytes come from
the small encoder below, written from RFC 8949 and spec/cbor.md. Non-canonical and invalid
inputs are written out by hand. Edit the tables here, not the JSON, then run

    python3 spec/vectors/gen-cbor.py
"""

import json
import math
import os
import struct

# ---------------------------------------------------------------------------------------
# Values: Python stand-ins for the OCapN model, each with its JSON vector form.

UNDEFINED = ("undefined",)
NULL = ("null",)


def i(n):
    return ("int", n)


def f64(x):
    """A Float64 from a Python float, or from the 16 hex digits of its bits."""
    if isinstance(x, str):
        return ("f64", int(x, 16))
    return ("f64", struct.unpack(">Q", struct.pack(">d", x))[0])


def b(hexstr):
    return ("bytes", bytes.fromhex(hexstr))


def sym(name):
    return ("symbol", name)


def struct_(*entries):
    return ("struct", list(entries))


def tagged(tag, v):
    return ("tagged", tag, v)


def err(message):
    return ("error", message)


def rec(label, *fields):
    return ("record", label, list(fields))


def desc(slot):
    return ("descriptor", slot)


def to_json(v):
    if v is True or v is False:
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return [to_json(x) for x in v]
    kind = v[0]
    if kind in ("undefined", "null"):
        return {kind: None}
    if kind == "int":
        return {"int": str(v[1])}
    if kind == "f64":
        return {"float64": "%016x" % v[1]}
    if kind == "bytes":
        return {"bytes": v[1].hex()}
    if kind == "symbol":
        return {"symbol": v[1]}
    if kind == "struct":
        return {"struct": [[to_json(k), to_json(x)] for k, x in v[1]]}
    if kind == "tagged":
        return {"tagged": [v[1], to_json(v[2])]}
    if kind == "error":
        return {"error": v[1]}
    if kind == "record":
        return {"record": [to_json(v[1])] + [to_json(x) for x in v[2]]}
    if kind == "descriptor":
        return {"descriptor": v[1]}
    raise ValueError(v)


# ---------------------------------------------------------------------------------------
# The canonical encoder (RFC 8949 section 4.2.1 plus the profile's choices).

TAG_RECORD, TAG_SYMBOL = 27, 280
TAG_TAGGED, TAG_ERROR, TAG_DESCRIPTOR = 51713, 51714, 51715
CANONICAL_NAN = 0x7FF8000000000000


def head(major, n):
    assert 0 <= n < 2**64
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 2 ** (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise AssertionError


def text(s):
    u = s.encode("utf-8")  # raises on lone surrogates
    return head(3, len(u)) + u


def enc(v):
    if v is False:
        return b"\xf4"
    if v is True:
        return b"\xf5"
    if isinstance(v, str):
        return text(v)
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x) for x in v)
    kind = v[0]
    if kind == "undefined":
        return b"\xf7"
    if kind == "null":
        return b"\xf6"
    if kind == "int":
        n = v[1]
        if 0 <= n < 2**64:
            return head(0, n)
        if -(2**64) <= n < 0:
            return head(1, -1 - n)
        tag, m = (2, n) if n > 0 else (3, -1 - n)
        mag = m.to_bytes((m.bit_length() + 7) // 8, "big")
        return head(6, tag) + head(2, len(mag)) + mag
    if kind == "f64":
        bits = v[1]
        if math.isnan(struct.unpack(">d", bits.to_bytes(8, "big"))[0]):
            bits = CANONICAL_NAN
        return b"\xfb" + bits.to_bytes(8, "big")
    if kind == "bytes":
        return head(2, len(v[1])) + v[1]
    if kind == "symbol":
        return head(6, TAG_SYMBOL) + text(v[1])
    if kind == "struct":
        entries = sorted(((enc(k), enc(x)) for k, x in v[1]), key=lambda e: e[0])
        keys = [k for k, _ in entries]
        assert len(set(keys)) == len(keys), "duplicate key"
        return head(5, len(entries)) + b"".join(k + x for k, x in entries)
    if kind == "tagged":
        return head(6, TAG_TAGGED) + head(4, 2) + text(v[1]) + enc(v[2])
    if kind == "error":
        return head(6, TAG_ERROR) + head(4, 1) + text(v[1])
    if kind == "record":
        return head(6, TAG_RECORD) + head(4, 1 + len(v[2])) + enc(v[1]) + b"".join(enc(x) for x in v[2])
    if kind == "descriptor":
        return head(6, TAG_DESCRIPTOR) + head(0, v[1])
    raise ValueError(v)


# ---------------------------------------------------------------------------------------
# Valid canonical vectors: the hex is computed by enc().

DELIVER = rec(
    sym("op:deliver"),
    rec(sym("desc:export"), i(5)),
    [sym("make-car"), "red", i(42)],
    i(3),
    rec(sym("desc:import-object"), i(17)),
)

CANONICAL = [
    ("undefined", UNDEFINED),
    ("null", NULL),
    ("false", False),
    ("true", True),
    # Integers: every head size and both edges of the native range.
    ("int 0", i(0)),
    ("int 1", i(1)),
    ("int 23 (largest immediate)", i(23)),
    ("int 24 (1-byte argument)", i(24)),
    ("int 255", i(255)),
    ("int 256 (2-byte argument)", i(256)),
    ("int 65535", i(65535)),
    ("int 65536 (4-byte argument)", i(65536)),
    ("int 2^31-1", i(2**31 - 1)),
    ("int 2^32-1", i(2**32 - 1)),
    ("int 2^32 (8-byte argument)", i(2**32)),
    ("int 2^63-1 (long max)", i(2**63 - 1)),
    ("int 2^63 (above long)", i(2**63)),
    ("int 2^64-1 (largest native)", i(2**64 - 1)),
    ("int 2^64 (smallest positive bignum)", i(2**64)),
    ("int 2^100", i(2**100)),
    ("int 2^128+1", i(2**128 + 1)),
    ("int -1", i(-1)),
    ("int -24 (largest immediate negative)", i(-24)),
    ("int -25", i(-25)),
    ("int -256", i(-256)),
    ("int -257", i(-257)),
    ("int -65536", i(-65536)),
    ("int -65537", i(-65537)),
    ("int -2^31", i(-(2**31))),
    ("int -2^32", i(-(2**32))),
    ("int -2^32-1", i(-(2**32) - 1)),
    ("int -2^63 (long min)", i(-(2**63))),
    ("int -2^63-1 (below long)", i(-(2**63) - 1)),
    ("int -2^64 (smallest native)", i(-(2**64))),
    ("int -2^64-1 (largest negative bignum)", i(-(2**64) - 1)),
    ("int -2^100", i(-(2**100))),
    # Float64: always 8 bytes.
    ("float 0.0", f64(0.0)),
    ("float -0.0", f64(-0.0)),
    ("float 1.0", f64(1.0)),
    ("float 1.5", f64(1.5)),
    ("float -2.5", f64(-2.5)),
    ("float 0.1", f64(0.1)),
    ("float 100000.0", f64(100000.0)),
    ("float nan (canonical)", f64("7ff8000000000000")),
    ("float +inf", f64(math.inf)),
    ("float -inf", f64(-math.inf)),
    ("float smallest subnormal", f64("0000000000000001")),
    ("float largest finite", f64("7fefffffffffffff")),
    # Strings and bytes.
    ("string empty", ""),
    ("string a", "a"),
    ("string IETF", "IETF"),
    ("string 2-byte UTF-8", "\u00fc"),
    ("string 3-byte UTF-8", "\u6c34"),
    ("string astral (4-byte UTF-8)", "\U00010151"),
    ("string emoji", "\U0001F600"),
    ("string NUL and controls", "\x00\x1f\x7f"),
    ("string 23 bytes (longest immediate length)", "x" * 23),
    ("string 24 bytes (1-byte length)", "y" * 24),
    ("string 256 bytes (2-byte length)", "z" * 256),
    ("bytes empty", b("")),
    ("bytes 01020304", b("01020304")),
    ("bytes 24 (1-byte length)", b("ab" * 24)),
    ("symbol op:deliver", sym("op:deliver")),
    ("symbol empty", sym("")),
    ("symbol astral", sym("\U0001F600-sym")),
    # Containers.
    ("list empty", []),
    ("list 1 2 3", [i(1), i(2), i(3)]),
    ("list nested", [i(1), [i(2), i(3)], [i(4), i(5)]]),
    ("list 25 items (1-byte count)", [i(n) for n in range(1, 26)]),
    ("list of every atom", [UNDEFINED, NULL, True, i(-1), f64(0.5), "s", b("ff"), sym("s")]),
    ("struct empty", struct_()),
    ("struct a b", struct_(("a", i(1)), ("b", [i(2), i(3)]))),
    (
        "struct keys sorted by encoded bytes (shorter first)",
        struct_(("aa", i(3)), ("b", i(2)), ("", i(0)), ("a", i(1))),
    ),
    (
        "struct keys of equal length sorted bytewise (UTF-8)",
        struct_(("\u00e9", i(1)), ("zz", i(2)), ("Z", i(3))),
    ),
    ("struct nested", struct_(("inner", struct_(("x", NULL), ("y", UNDEFINED))), ("list", [struct_()]))),
    ("tagged", tagged("set", [i(1), i(2)])),
    ("tagged empty tag", tagged("", NULL)),
    ("tagged nested", tagged("outer", tagged("inner", i(1)))),
    ("error", err("boom")),
    ("error empty message", err("")),
    ("record label only", rec(sym("foo"))),
    ("record op:deliver", DELIVER),
    ("record desc:export", rec(sym("desc:export"), i(5))),
    ("record string label", rec("label", i(1), i(2))),
    ("record with struct and tagged", rec(sym("op:x"), struct_(("k", tagged("t", err("e")))))),
    ("descriptor slot 0", desc(0)),
    ("descriptor slot 1 in a record", rec(sym("fd"), desc(1))),
    ("descriptor slot 24 (1-byte argument)", desc(24)),
]

# ---------------------------------------------------------------------------------------
# Non-canonical forms a decoder must accept (hex by hand).

ACCEPTED = [
    ("int 0 with 1-byte argument", "1800", i(0)),
    ("int 0 with 2-byte argument", "190000", i(0)),
    ("int 23 with 4-byte argument", "1a00000017", i(23)),
    ("int 1 with 8-byte argument", "1b0000000000000001", i(1)),
    ("int -1 with 1-byte argument", "3800", i(-1)),
    ("int -256 with 2-byte argument", "3900ff", i(-256)),
    ("int -1 with 8-byte argument", "3b0000000000000000", i(-1)),
    ("half float 0.0", "f90000", f64(0.0)),
    ("half float -0.0", "f98000", f64(-0.0)),
    ("half float 1.0", "f93c00", f64(1.0)),
    ("half float 1.5", "f93e00", f64(1.5)),
    ("half float 65504 (largest)", "f97bff", f64(65504.0)),
    ("half float smallest subnormal 2^-24", "f90001", f64(2.0**-24)),
    ("half float largest subnormal", "f903ff", f64(1023 * 2.0**-24)),
    ("half float -4.0", "f9c400", f64(-4.0)),
    ("half float +inf", "f97c00", f64(math.inf)),
    ("half float -inf", "f9fc00", f64(-math.inf)),
    ("half float nan", "f97e00", f64("7ff8000000000000")),
    ("half float nan with payload", "f97c01", f64("7ff8000000000000")),
    ("single float 100000.0", "fa47c35000", f64(100000.0)),
    ("single float 1.5", "fa3fc00000", f64(1.5)),
    ("single float smallest subnormal 2^-149", "fa00000001", f64(2.0**-149)),
    ("single float largest finite", "fa7f7fffff", f64(struct.unpack(">f", bytes.fromhex("7f7fffff"))[0])),
    ("single float -0.0", "fa80000000", f64(-0.0)),
    ("single float +inf", "fa7f800000", f64(math.inf)),
    ("single float nan", "fa7fc00000", f64("7ff8000000000000")),
    ("double nan with payload", "fb7ff0000000000001", f64("7ff8000000000000")),
    ("double negative nan", "fbfff8000000000000", f64("7ff8000000000000")),
    ("bignum 1 (small value in tag 2)", "c24101", i(1)),
    ("bignum 0 (empty magnitude)", "c240", i(0)),
    ("bignum 1 with leading zero bytes", "c243000001", i(1)),
    ("bignum 128 (high bit set, unsigned)", "c24180", i(128)),
    ("bignum 2^63 in tag 2", "c2488000000000000000", i(2**63)),
    ("bignum 2^64-1 in tag 2 with leading zero", "c24900ffffffffffffffff", i(2**64 - 1)),
    ("negative bignum -1 (magnitude 0)", "c34100", i(-1)),
    ("negative bignum -129 (high bit set)", "c34180", i(-129)),
    ("negative bignum -257", "c3420100", i(-257)),
    ("negative bignum -2^63-1", "c3488000000000000000", i(-(2**63) - 1)),
    ("bignum with indefinite-length bytes", "c25f4101ff", i(1)),
    ("text with 1-byte length", "780161", "a"),
    ("text with 8-byte length", "7b000000000000000161", "a"),
    ("indefinite text", "7f657374726561646d696e67ff", "streaming"),
    ("indefinite text empty", "7fff", ""),
    ("indefinite text with empty chunks", "7f6060616160ff", "a"),
    ("indefinite text split at code points", "7f62c3bc63e6b0b4ff", "\u00fc\u6c34"),
    ("indefinite bytes", "5f42010243030405ff", b("0102030405")),
    ("indefinite bytes empty", "5fff", b("")),
    ("array with 1-byte count", "9803010203", [i(1), i(2), i(3)]),
    ("indefinite array", "9f010203ff", [i(1), i(2), i(3)]),
    ("indefinite array empty", "9fff", []),
    ("indefinite array nested", "9f019f0203ff820405ff", [i(1), [i(2), i(3)], [i(4), i(5)]]),
    ("map with 1-byte count", "b800", struct_()),
    ("indefinite map", "bf61610161629f0203ffff", struct_(("a", i(1)), ("b", [i(2), i(3)]))),
    ("indefinite map empty", "bfff", struct_()),
    ("struct keys out of order", "a2616201616102", struct_(("a", i(2)), ("b", i(1)))),
    ("struct longer key first", "a2626161016162 02".replace(" ", ""), struct_(("aa", i(1)), ("b", i(2)))),
    ("struct key as indefinite text", "a17f6161ff01", struct_(("a", i(1)))),
    ("symbol as indefinite text", "d901187f626f70ff", sym("op")),
    ("symbol tag with 4-byte head", "da0000011863666f6f", sym("foo")),
    ("record tag with 2-byte head", "d9001b81d9011863666f6f", rec(sym("foo"))),
    ("record as indefinite array", "d81b9fd9011863666f6f01ff", rec(sym("foo"), i(1))),
    ("tagged as indefinite array", "d9ca019f63736574f6ff", tagged("set", NULL)),
    ("error as indefinite array", "d9ca029f64626f6f6dff", err("boom")),
    ("error message as indefinite text", "d9ca02817f62626f626f6dff", err("boom")),
    ("descriptor slot 0 with 1-byte argument", "d9ca031800", desc(0)),
]

# ---------------------------------------------------------------------------------------
# Inputs a decoder must refuse: (name, hex, rule, offset[, limits]). Offsets count from the
# first byte; see spec/cbor.md, "Errors", for which byte each rule names.

OVERLONG_STRING = "z" * 24

REJECTED = [
    # Truncation: a head or declared length cut off names the item; a missing item names the
    # end of the input.
    ("empty input", "", "truncated", 0),
    ("uint8 head without its byte", "18", "truncated", 0),
    ("uint16 head with 1 of 2 bytes", "1901", "truncated", 0),
    ("uint64 head with 1 of 8 bytes", "1b00", "truncated", 0),
    ("half float cut", "f900", "truncated", 0),
    ("double cut", "fb3ff0", "truncated", 0),
    ("simple value head 0xf8 cut", "f8", "truncated", 0),
    ("tag head cut", "d901", "truncated", 0),
    ("text declares more than remains", "6261", "truncated", 0),
    ("bytes declare more than remain", "43010203"[:6], "truncated", 0),
    ("array declares more items than bytes remain", "8201", "truncated", 0),
    ("huge length within limits but past the end", "5a0001000000", "truncated", 0),
    ("huge count within limits but past the end", "9a00001000", "truncated", 0),
    ("array missing its last item", "828101", "truncated", 3),
    ("map missing a value", "a16161", "truncated", 3),
    ("tag missing its content", "d81b", "truncated", 2),
    ("symbol tag missing its text", "d90118", "truncated", 3),
    ("indefinite array without break", "9f01", "truncated", 2),
    ("indefinite map without break", "bf616101", "truncated", 4),
    ("indefinite text without break", "7f6161", "truncated", 3),
    ("nested item cut inside its head", "811901", "truncated", 1),
    ("op:deliver cut inside a symbol's tag", enc(DELIVER).hex()[:80], "truncated", 40),
    ("op:deliver cut inside a symbol's text", enc(DELIVER).hex()[:90], "truncated", 37),
    # Trailing bytes.
    ("two items", "0000", "trailing-bytes", 1),
    ("null then garbage", "f6ff", "trailing-bytes", 1),
    ("list then a break", "8101ff", "trailing-bytes", 2),
    ("op:deliver then a byte", enc(DELIVER).hex() + "00", "trailing-bytes", len(enc(DELIVER))),
    # UTF-8 (offset: first byte of the ill-formed sequence).
    ("text with bad continuation", "62c328", "invalid-utf8", 1),
    ("text with 0xff", "61ff", "invalid-utf8", 1),
    ("text with lone continuation byte", "6180", "invalid-utf8", 1),
    ("text with overlong slash", "62c0af", "invalid-utf8", 1),
    ("text with overlong 3-byte form", "63e08080", "invalid-utf8", 1),
    ("text with encoded surrogate", "63eda080", "invalid-utf8", 1),
    ("text above U+10FFFF", "64f4908080", "invalid-utf8", 1),
    ("text with a sequence cut by its length", "6361e282", "invalid-utf8", 2),
    ("symbol with invalid UTF-8", "d9011862c328", "invalid-utf8", 4),
    ("symbol with encoded surrogate", "d9011863edb080", "invalid-utf8", 4),
    ("indefinite text splitting a code point between chunks", "7f61c361bcff", "invalid-utf8", 2),
    ("struct key with invalid UTF-8", "a161ff01", "invalid-utf8", 2),
    ("tag text with invalid UTF-8", "d9ca018261fff6", "invalid-utf8", 5),
    ("error message with invalid UTF-8", "d9ca028161ff", "invalid-utf8", 5),
    # Structs.
    ("duplicate key", "a2616101616102", "duplicate-key", 4),
    ("duplicate key spelled as indefinite text", "a26161017f6161ff02", "duplicate-key", 4),
    ("duplicate key in indefinite map", "bf61610161610 2ff".replace(" ", ""), "duplicate-key", 4),
    ("integer key", "a10102", "invalid-key", 1),
    ("negative integer key", "a12002", "invalid-key", 1),
    ("byte string key", "a1416101", "invalid-key", 1),
    ("symbol key (tagged text)", "a1d90118616101", "invalid-key", 1),
    ("null key", "a1f601", "invalid-key", 1),
    ("array key", "a18001", "invalid-key", 1),
    ("float key", "a1fa3f80000001", "invalid-key", 1),
    # Tags.
    ("tag 0 date-time string", "c074323031332d30332d32315432303a30343a30305a", "unknown-tag", 0),
    ("tag 1 epoch date", "c11a514b67b0", "unknown-tag", 0),
    ("tag 4 decimal fraction", "c48221196ab3", "unknown-tag", 0),
    ("tag 5 bigfloat", "c5822003", "unknown-tag", 0),
    ("tag 25 string reference", "d81900", "unknown-tag", 0),
    ("tag 256 string-reference namespace", "d9010080", "unknown-tag", 0),
    ("tag 55799 self-described CBOR", "d9d9f7f6", "unknown-tag", 0),
    ("tag 2^32-1", "daffffffff00", "unknown-tag", 0),
    ("tag 2^64-1", "dbffffffffffffffff00", "unknown-tag", 0),
    ("tag 51716 (next to the profile's)", "d9ca0400", "unknown-tag", 0),
    ("unknown tag inside a list", "81c000", "unknown-tag", 1),
    ("nested symbol tags", "d90118d901186161", "unknown-tag", 0),
    ("record tag around a symbol tag", "d81bd901186161", "unknown-tag", 0),
    ("symbol tag on an integer", "d9011801", "unknown-tag", 0),
    ("symbol tag on bytes", "d901184161", "unknown-tag", 0),
    ("record tag on a map", "d81ba0", "unknown-tag", 0),
    ("bignum tag on an integer", "c201", "unknown-tag", 0),
    ("negative bignum tag on text", "c36161", "unknown-tag", 0),
    ("descriptor tag on a negative integer", "d9ca0320", "unknown-tag", 0),
    ("descriptor tag on text", "d9ca036130", "unknown-tag", 0),
    ("tagged tag on a map", "d9ca01a0", "unknown-tag", 0),
    ("error tag on text", "d9ca026162", "unknown-tag", 0),
    ("tag head with additional information 31", "df00", "unexpected-byte", 0),
    # Known tags with the wrong shape.
    ("record without label", "d81b80", "malformed-value", 0),
    ("indefinite record without label", "d81b9fff", "malformed-value", 0),
    ("tagged with 1 item", "d9ca018161 61".replace(" ", ""), "malformed-value", 0),
    ("tagged with 3 items", "d9ca0183616101 02".replace(" ", ""), "malformed-value", 0),
    ("tagged whose tag is not text", "d9ca01820102", "malformed-value", 4),
    ("tagged whose tag is a symbol", "d9ca0182d901186161f6", "malformed-value", 4),
    ("indefinite tagged with 3 items", "d9ca019f616101 02ff".replace(" ", ""), "malformed-value", 0),
    ("error with no message", "d9ca0280", "malformed-value", 0),
    ("error with 2 items", "d9ca028261616162", "malformed-value", 0),
    ("error whose message is not text", "d9ca028101", "malformed-value", 4),
    # Simple values: only 20-23 are values.
    ("simple value 0", "e0", "unsupported-type", 0),
    ("simple value 16", "f0", "unsupported-type", 0),
    ("simple value 19", "f3", "unsupported-type", 0),
    ("simple value 32 (the wip draft's reference placeholder)", "f820", "unsupported-type", 0),
    ("simple value 255", "f8ff", "unsupported-type", 0),
    ("simple value 32 inside a record", "d81b82d9011863666f6ff820", "unsupported-type", 10),
    ("simple value 24 in two-byte form (not well-formed)", "f818", "malformed-value", 0),
    ("simple value 20 in two-byte form (not well-formed)", "f814", "malformed-value", 0),
    # Bytes that start no item here.
    ("reserved additional information 28", "1c", "unexpected-byte", 0),
    ("reserved additional information 29", "3d", "unexpected-byte", 0),
    ("reserved additional information 30 on bytes", "5e", "unexpected-byte", 0),
    ("reserved additional information on text", "7c", "unexpected-byte", 0),
    ("reserved additional information on an array", "9d", "unexpected-byte", 0),
    ("reserved additional information on a map", "be", "unexpected-byte", 0),
    ("reserved additional information on a tag", "dc", "unexpected-byte", 0),
    ("reserved simple 0xfc", "fc", "unexpected-byte", 0),
    ("reserved simple 0xfd", "fd", "unexpected-byte", 0),
    ("reserved simple 0xfe", "fe", "unexpected-byte", 0),
    ("break at top level", "ff", "unexpected-byte", 0),
    ("break inside a definite array", "8201ff", "unexpected-byte", 2),
    ("indefinite unsigned integer", "1f", "unexpected-byte", 0),
    ("indefinite negative integer", "3f", "unexpected-byte", 0),
    ("reserved byte inside a list", "811c", "unexpected-byte", 1),
    ("break where a map value belongs", "bf6161ff", "unexpected-byte", 3),
    ("break as a definite map key", "a1ff00", "unexpected-byte", 1),
    ("integer chunk in indefinite text", "7f01ff", "unexpected-byte", 1),
    ("byte chunk in indefinite text", "7f4161ff", "unexpected-byte", 1),
    ("text chunk in indefinite bytes", "5f6161ff", "unexpected-byte", 1),
    ("nested indefinite text chunk", "7f7fffff", "unexpected-byte", 1),
    # Limits.
    ("value over maxValueBytes", "8401020304", "value-too-large", 0, {"maxValueBytes": 4}),
    ("list nested over maxDepth", "818181f6", "depth-exceeded", 2, {"maxDepth": 2}),
    ("struct nested over maxDepth", "a16161a16162a0", "depth-exceeded", 6, {"maxDepth": 2}),
    ("record nested over maxDepth", "81d81b81d9011861 61".replace(" ", ""), "depth-exceeded", 1, {"maxDepth": 1}),
    ("tagged nested over maxDepth", "81d9ca0182617400", "depth-exceeded", 1, {"maxDepth": 1}),
    ("error nested over maxDepth", "81d9ca028160", "depth-exceeded", 1, {"maxDepth": 1}),
    ("list over maxCollectionLength", "83010203", "collection-too-long", 0, {"maxCollectionLength": 2}),
    ("indefinite list over maxCollectionLength", "9f010203ff", "collection-too-long", 0, {"maxCollectionLength": 2}),
    ("struct over maxCollectionLength", "a3616101616202616303", "collection-too-long", 0, {"maxCollectionLength": 2}),
    ("record with more fields than maxCollectionLength", "d81b84d901186166010203", "collection-too-long", 0, {"maxCollectionLength": 2}),
    ("text over maxStringBytes", "6461626364", "string-too-long", 0, {"maxStringBytes": 3}),
    ("indefinite text over maxStringBytes", "7f626162626364ff", "string-too-long", 0, {"maxStringBytes": 3}),
    ("symbol over maxStringBytes", "d901186461626364", "string-too-long", 0, {"maxStringBytes": 3}),
    ("struct key over maxStringBytes", "a1646162636401", "string-too-long", 1, {"maxStringBytes": 3}),
    ("bytes over maxByteArrayBytes", "43010203", "bytes-too-long", 0, {"maxByteArrayBytes": 2}),
    ("bignum magnitude over maxByteArrayBytes", "c243010203", "bytes-too-long", 0, {"maxByteArrayBytes": 2}),
    ("bignum of 65 bits over maxIntegerBits 64", "c249010000000000000000", "integer-too-large", 0, {"maxIntegerBits": 64}),
    ("bytes declaring 2^31-1", "5a7fffffff", "bytes-too-long", 0),
    ("bytes declaring 2^63-1", "5b7fffffffffffffff", "bytes-too-long", 0),
    ("text declaring 2^31-1", "7a7fffffff", "string-too-long", 0),
    ("text declaring 2^64-1", "7bffffffffffffffff", "string-too-long", 0),
    ("array declaring 2^31-1 items", "9a7fffffff", "collection-too-long", 0),
    ("array declaring 2^63 items", "9b8000000000000000", "collection-too-long", 0),
    ("map declaring 2^63-1 entries", "bb7fffffffffffffff", "collection-too-long", 0),
    # Descriptors (the tests' decode context carries slots 0-31 only).
    ("descriptor slot the frame does not carry", "d9ca031864", "descriptor-slot", 0),
    ("descriptor slot above 2^63", "d9ca031bffffffffffffffff", "descriptor-slot", 0),
]


def main():
    out = []
    for name, value in CANONICAL:
        out.append({"name": name, "value": to_json(value), "hex": enc(value).hex(), "canonical": True})
    for name, hexstr, value in ACCEPTED:
        assert bytes.fromhex(hexstr) != enc(value), name + " is canonical"
        out.append({"name": name, "value": to_json(value), "hex": hexstr, "canonical": False,
                    "canonical_hex": enc(value).hex()})
    for entry in REJECTED:
        name, hexstr, rule, offset = entry[:4]
        v = {"name": name, "hex": hexstr, "error": rule, "offset": offset}
        if len(entry) > 4:
            v["limits"] = entry[4]
        out.append(v)
    names = [v["name"] for v in out]
    assert len(set(names)) == len(names), "duplicate vector name"
    doc = {
        "comment": "Capnet CBOR profile vectors (spec/cbor.md). Generated by gen-cbor.py; edit that, not this file. "
        "Descriptor vectors: the decoder's context carries slots 0-31 and refuses others (descriptor-slot).",
        "vectors": out,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cbor.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d vectors to %s" % (len(out), path))


if __name__ == "__main__":
    main()
