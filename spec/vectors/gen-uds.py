#!/usr/bin/env python3
"""Writes uds.json beside this file. Python 3 standard library only.

An oracle independent of Capnet's Java code for spec/uds.md: the Syrup bytes of
the uds: records are built here from the draft's record forms, designators are
RFC 4648 base32 (lowercase, unpadded) from the base64 module, and signatures
come from the Ed25519 below (RFC 8032 section 5.1, checked against the RFC's
test vectors 1 and 2 before anything is written). Keys are those of RFC 8032
tests 1 (the introduction server) and 2 (the peer).
Run: python3 spec/vectors/gen-uds.py
"""
import base64
import hashlib
import json
import os

# ---- Ed25519 (RFC 8032 5.1), slow and simple ----
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
I = pow(2, (P - 1) // 4, P)

def _xrecover(y):
    xx = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P != 0:
        x = x * I % P
    if x % 2 != 0:
        x = P - x
    return x

_BY = 4 * pow(5, P - 2, P) % P
_B = (_xrecover(_BY), _BY, 1, _xrecover(_BY) * _BY % P)

def _add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)

def _mul(s, p):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q

def _enc(p):
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")

def _h(m):
    return int.from_bytes(hashlib.sha512(m).digest(), "little")

def _secret(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]

def public_key(seed):
    a, _ = _secret(seed)
    return _enc(_mul(a, _B))

def sign(seed, msg):
    a, prefix = _secret(seed)
    A = _enc(_mul(a, _B))
    r = _h(prefix + msg) % L
    R = _enc(_mul(r, _B))
    s = (r + _h(R + A + msg) * a) % L
    return R + s.to_bytes(32, "little")

SERVER_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PEER_SEED = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
assert public_key(SERVER_SEED).hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
assert sign(SERVER_SEED, b"").hex() == ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
assert public_key(PEER_SEED).hex() == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
assert sign(PEER_SEED, b"\x72").hex() == ("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                                          "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")

# ---- Syrup, from the Syrup description ----
def syr_bytes(b):
    return str(len(b)).encode() + b":" + b

def syr_string(s):
    b = s.encode("utf-8")
    return str(len(b)).encode() + b'"' + b

def syr_symbol(s):
    b = s.encode("utf-8")
    return str(len(b)).encode() + b"'" + b

def syr_list(*items):
    return b"[" + b"".join(items) + b"]"

def syr_record(label, *fields):
    return b"<" + syr_symbol(label) + b"".join(fields) + b">"

def syr_struct(pairs):
    enc = sorted((syr_string(k), syr_string(v)) for k, v in pairs)
    return b"{" + b"".join(k + v for k, v in enc) + b"}"

def designator(key):
    return base64.b32encode(key).decode().rstrip("=").lower()

def peer(key, hints):
    h = syr_struct(hints) if hints else b"f"
    return syr_record("ocapn-peer", syr_symbol("unix-domain-socket"), syr_string(designator(key)), h)

def public_key_value(key):
    return syr_list(syr_symbol("public-key"), syr_list(syr_symbol("ecc"),
        syr_list(syr_symbol("curve"), syr_symbol("Ed25519")),
        syr_list(syr_symbol("flags"), syr_symbol("eddsa")),
        syr_list(syr_symbol("q"), syr_bytes(key))))

def sig_value(sig):
    return syr_list(syr_symbol("sig-val"), syr_list(syr_symbol("eddsa"),
        syr_list(syr_symbol("r"), syr_bytes(sig[:32])), syr_list(syr_symbol("s"), syr_bytes(sig[32:]))))

SERVER_KEY = public_key(SERVER_SEED)
PEER_KEY = public_key(PEER_SEED)
OTHER_KEY = public_key(bytes(range(32)))
CLIENT_CHALLENGE = bytes(range(0x40, 0x60))       # 32 bytes
SERVER_CHALLENGE = bytes(range(0xa0, 0xc0))
S_SIG = sign(SERVER_SEED, CLIENT_CHALLENGE)
P_SIG = sign(PEER_SEED, SERVER_CHALLENGE)
HINTS = [(designator(SERVER_KEY), "1")]
uri = lambda key, hints: "ocapn://" + designator(key) + ".unix-domain-socket" + (
    "?" + "&".join(k + "=" + v for k, v in hints) if hints else "")

valid = [
    {"name": "register", "type": "register", "location": uri(PEER_KEY, []),
     "challenge": CLIENT_CHALLENGE.hex(),
     "hex": syr_record("uds:register", peer(PEER_KEY, []), syr_bytes(CLIENT_CHALLENGE)).hex()},
    {"name": "server-response, draft form", "type": "server-response", "form": "draft",
     "key": SERVER_KEY.hex(), "server_challenge": SERVER_CHALLENGE.hex(),
     "payload": CLIENT_CHALLENGE.hex(), "signature": S_SIG.hex(),
     "hex": syr_record("uds:server-response", public_key_value(SERVER_KEY), syr_bytes(SERVER_CHALLENGE),
                       syr_record("uds:signature", syr_bytes(CLIENT_CHALLENGE), sig_value(S_SIG))).hex()},
    {"name": "server-response, Goblins form (a bare sig-val)", "type": "server-response", "form": "goblins",
     "key": SERVER_KEY.hex(), "server_challenge": SERVER_CHALLENGE.hex(),
     "payload": CLIENT_CHALLENGE.hex(), "signature": S_SIG.hex(),
     "hex": syr_record("uds:server-response", public_key_value(SERVER_KEY), syr_bytes(SERVER_CHALLENGE),
                       sig_value(S_SIG)).hex()},
    {"name": "signature, draft form", "type": "signature", "form": "draft",
     "payload": SERVER_CHALLENGE.hex(), "signature": P_SIG.hex(),
     "hex": syr_record("uds:signature", syr_bytes(SERVER_CHALLENGE), sig_value(P_SIG)).hex()},
    {"name": "signature, Goblins form (64 raw bytes)", "type": "signature", "form": "goblins",
     "payload": SERVER_CHALLENGE.hex(), "signature": P_SIG.hex(),
     "hex": syr_record("uds:signature", syr_bytes(SERVER_CHALLENGE), syr_bytes(P_SIG)).hex()},
    {"name": "new-connection", "type": "new-connection", "from": uri(PEER_KEY, HINTS),
     "to": uri(OTHER_KEY, HINTS),
     "hex": syr_record("uds:new-connection", peer(PEER_KEY, HINTS), peer(OTHER_KEY, HINTS)).hex()},
    {"name": "abort (Capnet's refusal)", "type": "abort", "reason": "uds:signature does not verify",
     "hex": syr_record("uds:abort", syr_string("uds:signature does not verify")).hex()},
]

reg = lambda *f: syr_record("uds:register", *f).hex()
invalid = [
    {"name": "unknown label", "hex": syr_record("uds:hello", syr_bytes(b"x")).hex(),
     "error": "unknown uds record <uds:hello ...>; expected one of uds:register, uds:server-response,"
              " uds:signature, uds:new-connection, uds:abort"},
    {"name": "not a record", "hex": syr_list(syr_symbol("uds:register")).hex(),
     "error": "expected a uds: record, got a List"},
    {"name": "register with one field", "hex": reg(peer(PEER_KEY, [])),
     "error": "uds:register has 2 fields (peer-location client-challenge), got 1"},
    {"name": "register whose challenge is a String", "hex": reg(peer(PEER_KEY, []), syr_string("abc")),
     "error": "field 2 of uds:register (client-challenge) must be a ByteArray, got a String"},
    {"name": "register with a short challenge", "hex": reg(peer(PEER_KEY, []), syr_bytes(b"0123456789abcde")),
     "error": "client-challenge of uds:register has 15 bytes; a challenge has 16 to 1024"},
    {"name": "register with a tcp-testing-only location",
     "hex": reg(syr_record("ocapn-peer", syr_symbol("tcp-testing-only"), syr_string(designator(PEER_KEY)), b"f"),
                syr_bytes(CLIENT_CHALLENGE)),
     "error": "peer-location of uds:register has transport tcp-testing-only, not unix-domain-socket"},
    {"name": "register whose designator is not a key", "hex": reg(
        syr_record("ocapn-peer", syr_symbol("unix-domain-socket"), syr_string("abc"), b"f"), syr_bytes(CLIENT_CHALLENGE)),
     "error": "peer-location of uds:register: a designator of an Ed25519 key is 52 lowercase base32 characters, got 3"},
    {"name": "signature with a 63-byte signature",
     "hex": syr_record("uds:signature", syr_bytes(SERVER_CHALLENGE), syr_bytes(P_SIG[:63])).hex(),
     "error": "signature of uds:signature must be a sig-val list or 64 bytes, got 63 bytes"},
]

out = {
    "note": "written by gen-uds.py; see spec/uds.md",
    "server_seed": SERVER_SEED.hex(), "peer_seed": PEER_SEED.hex(),
    "server_designator": designator(SERVER_KEY), "peer_designator": designator(PEER_KEY),
    "scm_rights_body": "00",
    "valid": valid, "invalid": invalid,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uds.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
