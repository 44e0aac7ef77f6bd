#!/usr/bin/env python3
"""Rebuild fuzz/seeds/ from the test fixtures and the example inputs.

The example inputs under inputs/ are written by the fixture builder
(tests/common/fixture.rs through examples/gen_examples.rs). Each workbook
is also re-packed without compression, so libFuzzer's mutations reach the
XML instead of breaking a deflate stream. Run from the repository root:
    python3 fuzz/seeds/make_seeds.py
"""
import glob, hashlib, io, os, shutil, zipfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
wb = os.path.join(root, "fuzz/seeds/workbook")
os.makedirs(wb, exist_ok=True)

def put(data, name):
    with open(os.path.join(wb, name), "wb") as f:
        f.write(data)

def stored(data):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    return out.getvalue()

sources = sorted(glob.glob(os.path.join(root, "tests/fixtures/*.*")))
sources = [s for s in sources if not s.endswith(".md")]
# One example input of each type (Verksamhet, Leverantör, Tjänstekatalog).
sources += [os.path.join(root, "inputs/leverantörer/dms", f"DMS {t} 2026.xlsx")
            for t in ("Verksamhet", "Leverantörsrapport", "Tjänstekatalog")]
for src in sources:
    data = open(src, "rb").read()
    tag = hashlib.sha1(os.path.relpath(src, root).encode()).hexdigest()[:8]
    ext = os.path.splitext(src)[1]
    put(data, f"{tag}{ext}")
    if data.startswith(b"PK"):
        try:
            put(stored(data), f"{tag}-stored{ext}")
        except zipfile.BadZipFile:
            pass

# A minimal .ods with repeated rows and columns, by hand.
content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
    b'<table:table table:name="Inl\xc3\xa4mning"><table:table-row>'
    b'<table:table-cell office:value-type="string"><text:p>Typ</text:p></table:table-cell>'
    b'<table:table-cell office:value-type="string"><text:p>Verksamhet</text:p></table:table-cell>'
    b'</table:table-row><table:table-row table:number-rows-repeated="3">'
    b'<table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1"/>'
    b'</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
out = io.BytesIO()
with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", content)
put(out.getvalue(), "minimal.ods")

vals = os.path.join(root, "fuzz/seeds/values")
os.makedirs(vals, exist_ok=True)
texts = ["2026-03-15", "2026-03-15T10:30:00", "15/3/2026", "15.3.2026", "15 mars 2026",
         "1 Okt. 2025", "2026", "Ja", "nej", "X", "1 - Grund", "3 – Hög", "Nivå 4",
         "Mycket hög", "(2) Förhöjd", "1 234,50 kr", "1\u00a0234 SEK", "-12,5", "45 %",
         "0,45", "12", "n/a", "Tjänst-id:", "Skyddsbehov *", "Gemensam tjänst"]
for i, t in enumerate(texts):
    with open(os.path.join(vals, f"text-{i:02}"), "wb") as f:
        f.write(bytes([i % 3 if i % 3 != 1 else 0]) + t.encode())
import struct
for i, x in enumerate([46096.0, 2026.0, 0.455, 1e300, float("nan"), -1.0]):
    with open(os.path.join(vals, f"float-{i}"), "wb") as f:
        f.write(bytes([3]) + struct.pack("<d", x))
