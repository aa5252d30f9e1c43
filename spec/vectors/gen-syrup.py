# Writes syrup.json with an encoder of its own (Python stdlib only), so that the expected
# bytes never come from the Java encoder under test. Edit this, then run it.
import json, struct
V=[]
def hx(b): return b.hex()
def s_int(n): return (str(abs(n)) + ('+' if n>=0 else '-')).encode()
def s_str(s): b=s.encode('utf-8'); return str(len(b)).encode()+b'"'+b
def s_sym(s): b=s.encode('utf-8'); return str(len(b)).encode()+b"'"+b
def s_bytes(b): return str(len(b)).encode()+b':'+b
def s_dbl(bits): return b'D'+bits.to_bytes(8,'big')
def s_list(items): return b'['+b''.join(items)+b']'
def s_rec(label, fields): return b'<'+label+b''.join(fields)+b'>'
def s_struct(pairs): 
    pairs=sorted(pairs,key=lambda kv: kv[0]); return b'{'+b''.join(k+v for k,v in pairs)+b'}'
def valid(name, value, b, canonical=True): V.append({"name":name,"value":value,"hex":hx(b),"canonical":canonical})
def invalid(name, b, error, offset, limits=None):
    d={"name":name,"hex":hx(b),"error":error,"offset":offset}
    if limits: d["limits"]=limits
    V.append(d)
I=lambda n: {"int":str(n)}
valid("false", False, b'f'); valid("true", True, b't')
valid("undefined", {"undefined":None}, s_rec(s_sym("void"),[]))
valid("null", {"null":None}, s_rec(s_sym("null"),[]))
for n in [0,1,42,-1,-42,2**63-1,-2**63,2**63,2**64,-(2**64)-1,10**40,-(10**40)]:
    valid("integer %d"%n, I(n), s_int(n))
valid("integer negative zero is zero", I(0), b'0-', False)
for name,bits in [("0.0",0),("-0.0",0x8000000000000000),("1.5",0x3ff8000000000000),("inf",0x7ff0000000000000),("-inf",0xfff0000000000000),("nan canonical",0x7ff8000000000000),("min subnormal",1),("max",0x7fefffffffffffff)]:
    valid("float64 "+name, {"float64":"%016x"%bits}, s_dbl(bits))
valid("float64 nan payload decodes as nan", {"float64":"7ff8000000000000"}, s_dbl(0x7ff0000000000001), False)
valid("float32 1.5 widened", {"float64":"3ff8000000000000"}, b'F'+struct.pack('>f',1.5), False)
valid("string empty", "", s_str("")); valid("string ascii", "twine", s_str("twine"))
valid("string non-ascii", "caf\u00e9 \u20ac \U0001f600", s_str("caf\u00e9 \u20ac \U0001f600"))
valid("string with quote and colon", "a\"b:c'<>", s_str("a\"b:c'<>"))
valid("bytes empty", {"bytes":""}, s_bytes(b'')); valid("bytes", {"bytes":"b0b5c0ffeefacade"}, s_bytes(bytes.fromhex("b0b5c0ffeefacade")))
valid("symbol", {"symbol":"fleur-de-lis"}, s_sym("fleur-de-lis")); valid("symbol empty", {"symbol":""}, s_sym(""))
valid("symbol non-ascii", {"symbol":"\u00e9t\u00e9"}, s_sym("\u00e9t\u00e9"))
valid("list empty", [], b'[]'); valid("list", [I(1),I(2),I(3)], s_list([s_int(1),s_int(2),s_int(3)]))
valid("list nested", [[], ["a"], [[True]]], s_list([b'[]', s_list([s_str("a")]), s_list([s_list([b't'])])]))
valid("struct empty", {"struct":[]}, b'{}')
valid("struct sorted by encoded key", {"struct":[["b",I(2)],["a",I(10)],["aa",I(3)]]}, s_struct([(s_str("b"),s_int(2)),(s_str("a"),s_int(10)),(s_str("aa"),s_int(3))]))
# note: "10" sorts before "1\"" ? encoded keys: 1"a 1"b 2"aa -> '1"a' < '1"b' < '2"aa'
valid("struct out of order accepted", {"struct":[["a",I(1)],["b",I(2)]]}, b'{1"b2+1"a1+}', False)
valid("struct symbol keys", {"struct":[[{"symbol":"host"},"h"]]}, s_struct([(s_sym("host"),s_str("h"))]))
valid("tagged", {"tagged":["hello",["world"]]}, s_rec(s_sym("desc:tagged"),[s_sym("hello"), s_list([s_str("world")])]))
valid("error", {"error":"no such method"}, s_rec(s_sym("desc:error"),[s_str("no such method")]))
valid("record op:deliver", {"record":[{"symbol":"op:deliver"},{"record":[{"symbol":"desc:export"},I(5)]},[{"symbol":"make-car"},"red",I(42)],I(3),{"record":[{"symbol":"desc:import-object"},I(17)]}]},
      s_rec(s_sym("op:deliver"),[s_rec(s_sym("desc:export"),[s_int(5)]), s_list([s_sym("make-car"),s_str("red"),s_int(42)]), s_int(3), s_rec(s_sym("desc:import-object"),[s_int(17)])]))
valid("record with string label", {"record":["foo",I(1)]}, s_rec(s_str("foo"),[s_int(1)]))
valid("whitespace between tokens", [I(1),"a"], b'[ 1+\n\t1"a\r ]', False)
valid("leading whitespace", True, b'  t', False)
# invalid
invalid("empty input", b'', "truncated", 0)
invalid("truncated string", b'5"abc', "truncated", 0)
invalid("truncated list", b'[1+2+', "truncated", 5)
invalid("truncated float", b'D\x00\x00', "truncated", 0)
invalid("trailing bytes", b't f', "trailing-bytes", 1)
invalid("trailing garbage", b'1+zz', "trailing-bytes", 2)
invalid("huge declared bytes", b'99999999999:', "bytes-too-long", 0)
invalid("huge declared string", b'99999999999"', "string-too-long", 0)
invalid("huge declared symbol", b"99999999999'", "string-too-long", 0)
invalid("leading zero", b'01+', "malformed-number", 0)
invalid("digits without type", b'12x', "unexpected-byte", 2)
invalid("unknown byte", b'z', "unexpected-byte", 0)
invalid("set not in model", b'#1+$', "unsupported-type", 0)
invalid("invalid utf8 in string", b'2"\xc3\x28', "invalid-utf8", 2)
invalid("surrogate in string", b'3"\xed\xa0\x80', "invalid-utf8", 2)
invalid("overlong in symbol", b"2'\xc0\xaf", "invalid-utf8", 2)
invalid("truncated utf8 in symbol", b"1'\xe2", "invalid-utf8", 2)
invalid("duplicate struct key", b'{1"a1+1"a2+}', "duplicate-key", 6)
invalid("struct key without value", b'{1"a}', "malformed-value", 1)
invalid("record without label", b'<>', "malformed-value", 0)
invalid("void with a field", b"<4'void1+>", "malformed-value", 0)
invalid("tagged with string tag", b'<11\'desc:tagged1"t1+>', "malformed-value", 0)
invalid("error without message", b"<10'desc:error>", "malformed-value", 0)
invalid("depth over limit", b'[[[[[]]]]]', "depth-exceeded", 4, {"maxDepth":4})
invalid("list over collection limit", b'[1+2+3+]', "collection-too-long", 0, {"maxCollectionLength":2})
invalid("string over limit", b'4"abcd', "string-too-long", 0, {"maxStringBytes":3})
invalid("value over limit", b'[1+2+3+]', "value-too-large", 0, {"maxValueBytes":4})
invalid("integer over bit limit", b'1000000000000000000000+', "integer-too-large", 0, {"maxIntegerBits":64})
invalid("close bracket alone", b']', "unexpected-byte", 0)
import os
json.dump({"format":"see README.md","codec":"syrup","vectors":V}, open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'syrup.json'),'w'), indent=1, ensure_ascii=False)
print(len(V))
