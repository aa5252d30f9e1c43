#!/usr/bin/env python3
"""Writes locators.json beside this file. Python 3 standard library only.

This is an oracle independent of Capnet's Java code: the Syrup bytes are
built here from the record forms, and every URI is checked against a
separate percent-encoder (urllib.parse.quote) and decoder. See
spec/locators.md for the rules and spec/vectors/README.md for the format.
Run: python3 spec/vectors/gen-locators.py
"""
import json
import os
from urllib.parse import quote, unquote_to_bytes

# ---- Syrup, written from the Syrup description, not from Capnet's encoder ----

def syr_bytes(b):
    return str(len(b)).encode() + b":" + b

def syr_string(s):
    b = s.encode("utf-8")
    return str(len(b)).encode() + b'"' + b

def syr_symbol(s):
    b = s.encode("utf-8")
    return str(len(b)).encode() + b"'" + b

def syr_struct(pairs):
    # Keys sorted by their encoded bytes.
    enc = sorted((syr_string(k), syr_string(v)) for k, v in pairs)
    return b"{" + b"".join(k + v for k, v in enc) + b"}"

def syr_record(label, *fields):
    return b"<" + syr_symbol(label) + b"".join(fields) + b">"

def peer_record(designator, transport, hints):
    h = syr_struct(hints) if hints else b"f"
    return syr_record("ocapn-peer", syr_symbol(transport), syr_string(designator), h)

def sturdyref_record(designator, transport, hints, swiss):
    return syr_record("ocapn-sturdyref", peer_record(designator, transport, hints), syr_bytes(swiss))

# ---- URIs ----

def enc(b):
    # Everything outside RFC 3986 unreserved is %XX (quote uses uppercase hex).
    return quote(b, safe="")

def canonical(designator, transport, hints, swiss):
    u = "ocapn://" + enc(designator.encode()) + "." + enc(transport.encode())
    if swiss is not None:
        u += "/s/" + enc(swiss)
    if hints:
        u += "?" + "&".join(enc(k.encode()) + "=" + enc(v.encode()) for k, v in hints)
    return u

def naive_parse(uri):
    """Just enough of a parser to check that a hand-written URI says what its vector says."""
    scheme, rest = uri.split(":", 1)
    assert scheme.lower() == "ocapn" and rest.startswith("//"), uri
    rest = rest[2:]
    rest, _, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    d, _, t = authority.rpartition(".")
    swiss = None
    if slash:
        assert path.startswith("s/"), uri
        swiss = unquote_to_bytes(path[2:])
    hints = []
    if query:
        for part in query.split("&"):
            k, _, v = part.partition("=")
            hints.append((unquote_to_bytes(k).decode("utf-8", "strict"),
                          unquote_to_bytes(v).decode("utf-8", "strict")))
    return (unquote_to_bytes(d).decode("utf-8", "strict"),
            unquote_to_bytes(t).decode("utf-8", "strict"), hints, swiss)

B32 = "jjq3tc7nlodhfxqytvfnsrlkbqxqvmc4lnpyj7bufyslmlt2eb6a"
ONION = "wy46gxdweyqn5m7ntzwlxinhdia2jjanlsh37gxklwhfec7yxqr4k3qd"
INTRO = "mfzgkylemfqwi3tfmruwg3lqnvqxezlt"

VALID = [
    # name, designator, transport, hints (list of pairs, [] for none), swiss (bytes or None), input uri (None: the canonical one)
    ("tcp-testing-only peer", "b32designator", "tcp-testing-only",
     [("host", "127.0.0.1"), ("port", "22045")], None, None),
    ("peer without hints (onion)", ONION, "onion", [], None, None),
    ("unix-domain-socket peer, introduction server key as hint", B32, "unix-domain-socket",
     [(INTRO, "1")], None, None),
    ("tcp-tls peer, IPv6 host needs escapes", B32, "tcp-tls",
     [("host", "::1"), ("port", "7443")], None, "ocapn://" + B32 + ".tcp-tls?host=%3A%3A1&port=7443"),
    ("designator containing dots splits at the last dot", "alice.example.org", "tcp-testing-only",
     [], None, None),
    ("hint order is kept in the URI; Syrup sorts struct keys", "b32designator", "tcp-testing-only",
     [("port", "22045"), ("host", "127.0.0.1")], None, None),
    ("struct keys sort by encoded bytes, length prefix first", "k", "tcp-testing-only",
     [("port", "1"), ("z", "2"), ("verylonghintname", "3")], None, None),
    ("empty hint value", "b32designator", "tcp-testing-only", [("relay", "")], None,
     "ocapn://b32designator.tcp-testing-only?relay="),
    ("hint name and value needing escapes", "b32designator", "tcp-testing-only",
     [("a b", "x&y=z/?#%+")], None, None),
    ("non-ASCII and astral designator", "\u00e9t\u00e9\U0001F600", "tcp-testing-only", [], None, None),
    ("uppercase scheme is accepted, printed lowercase", "abc", "tcp-testing-only", [], None,
     "OCAPN://abc.tcp-testing-only"),
    ("unnecessary escapes and lowercase hex are normalised", "abc", "tcp-testing-only", [("h", "~")],
     b"/x", "ocapn://%61bc.tcp-testing-only/s/%2fx?h=%7e"),
    ("escaped dot in designator is part of the designator", "a.b", "tcp-testing-only", [], None,
     "ocapn://a%2Eb.tcp-testing-only"),
    ("sub-delims are literal; + is not a space", "a+b!", "tcp-testing-only", [("q", "1+1 2")], None,
     "ocapn://a+b!.tcp-testing-only?q=1+1%202"),
    ("second = belongs to the value", "abc", "tcp-testing-only", [("a", "b=c")], None,
     "ocapn://abc.tcp-testing-only?a=b=c"),
    ("empty query means no hints", "abc", "tcp-testing-only", [], None,
     "ocapn://abc.tcp-testing-only?"),
    ("sturdyref, test-suite car factory builder", "b32designator", "tcp-testing-only",
     [("host", "127.0.0.1"), ("port", "22045")], b"JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ",
     "ocapn://b32designator.tcp-testing-only/s/JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ?host=127.0.0.1&port=22045"),
    ("sturdyref without hints", ONION, "onion", [], b"IO58l1laTyhcrgDKbEzFOO32MDd6zE5w", None),
    ("sturdyref with non-UTF-8 swiss number", B32, "tcp-tls", [("host", "10.0.0.2"), ("port", "7443")],
     bytes([0xff, 0x00, 0x80, 0x61, 0x62, 0x63]), None),
    ("sturdyref with 32 random swiss bytes", B32, "unix-domain-socket", [(INTRO, "1")],
     bytes.fromhex("9f1c0e7ab2d4403de85a61c2ff0b9a7714e6c35d08b2f1aa4c93e0d7566b2f01"), None),
    ("sturdyref with empty swiss number", "abc", "tcp-testing-only", [], b"", None),
    ("sturdyref swiss number with a slash and a space", "abc", "tcp-testing-only", [], b"a/b c", None),
]

INVALID = [
    ("http scheme", "http://abc.tcp-testing-only", "not-ocapn-scheme"),
    ("no scheme", "abc.tcp-testing-only", "not-ocapn-scheme"),
    ("no // after the scheme", "ocapn:abc.tcp-testing-only", "missing-authority"),
    ("no transport", "ocapn://abc", "missing-transport"),
    ("empty transport", "ocapn://abc.", "missing-transport"),
    ("empty authority", "ocapn://", "missing-transport"),
    ("empty designator", "ocapn://.tcp-testing-only", "empty-designator"),
    ("escaped dot in transport", "ocapn://abc.tcp%2Etesting", "bad-transport"),
    ("userinfo", "ocapn://user@abc.tcp-testing-only", "userinfo-or-port"),
    ("port", "ocapn://abc.tcp-testing-only:22045", "userinfo-or-port"),
    ("fragment", "ocapn://abc.tcp-testing-only#frag", "fragment"),
    ("fragment after a query", "ocapn://abc.tcp-testing-only?a=1#x", "fragment"),
    ("root path", "ocapn://abc.tcp-testing-only/", "bad-path"),
    ("other path", "ocapn://abc.tcp-testing-only/x/abc", "bad-path"),
    ("/s without a segment", "ocapn://abc.tcp-testing-only/s", "bad-path"),
    ("two segments after /s/", "ocapn://abc.tcp-testing-only/s/a/b", "bad-path"),
    ("duplicate hint", "ocapn://abc.tcp-testing-only?host=a&host=b", "duplicate-hint"),
    ("duplicate hint after decoding", "ocapn://abc.tcp-testing-only?host=a&%68ost=b", "duplicate-hint"),
    ("hint without =", "ocapn://abc.tcp-testing-only?host", "bad-query"),
    ("empty hint between &&", "ocapn://abc.tcp-testing-only?a=1&&b=2", "bad-query"),
    ("trailing &", "ocapn://abc.tcp-testing-only?a=1&", "bad-query"),
    ("empty hint name", "ocapn://abc.tcp-testing-only?=x", "empty-hint-name"),
    ("lone % in designator", "ocapn://ab%.tcp-testing-only", "bad-percent-encoding"),
    ("non-hex escape in hint", "ocapn://abc.tcp-testing-only?h=%g1", "bad-percent-encoding"),
    ("truncated escape in swiss", "ocapn://abc.tcp-testing-only/s/%4", "bad-percent-encoding"),
    ("invalid UTF-8 in designator", "ocapn://%FF.tcp-testing-only", "invalid-utf8"),
    ("invalid UTF-8 in hint value", "ocapn://abc.tcp-testing-only?h=%C3%28", "invalid-utf8"),
    ("UTF-8 encoded surrogate", "ocapn://%ED%A0%80.tcp-testing-only", "invalid-utf8"),
    ("overlong UTF-8", "ocapn://%C0%AF.tcp-testing-only", "invalid-utf8"),
    ("space in designator", "ocapn://a b.tcp-testing-only", "invalid-character"),
    ("raw non-ASCII in hint value", "ocapn://abc.tcp-testing-only?h=\u00e9", "invalid-character"),
    ("IP literal brackets", "ocapn://[::1].tcp-testing-only", "invalid-character"),
]

def main():
    out = []
    for name, d, t, hints, swiss, uri in VALID:
        canon = canonical(d, t, hints, swiss)
        if uri is None:
            uri = canon
        pd, pt, ph, ps = naive_parse(uri)
        assert (pd, pt, ph, ps) == (d, t, hints, swiss), (name, pd, pt, ph, ps)
        assert naive_parse(canon) == (d, t, hints, swiss), name
        v = {"name": name, "uri": uri, "designator": d, "transport": t,
             "hints": dict(hints) if hints else False}
        assert len(dict(hints)) == len(hints), name
        if swiss is not None:
            v["swiss"] = swiss.hex()
            v["syrup"] = sturdyref_record(d, t, hints, swiss).hex()
        else:
            v["syrup"] = peer_record(d, t, hints).hex()
        if canon != uri:
            v["canonical_uri"] = canon
        out.append(v)
    for name, uri, error in INVALID:
        out.append({"name": name, "uri": uri, "error": error})
    names = [v["name"] for v in out]
    assert len(set(names)) == len(names), "duplicate vector names"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locators.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"vectors": out}, f, ensure_ascii=False, indent=2)
        f.write("\n")

if __name__ == "__main__":
    main()
