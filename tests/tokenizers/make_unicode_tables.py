#!/usr/bin/python3
"""Writes src/Attend/Tokenization/Normalizers/unicode-normalization.bin (deflate-compressed) from Debian's
unicode-data package (apt-get install unicode-data): canonical combining classes, decomposition mappings and the
full composition exclusions, which UnicodeNormalization.cs reads to compute NFC, NFD, NFKC and NFKD without ICU
(Attend runs with InvariantGlobalization, where string.Normalize does not apply these mappings).

Layout (little-endian): uint32 count, then count x (uint24 code point, uint8 class) for non-zero classes;
uint32 count, then count x (uint24 code point, uint8 flags (1 = compatibility), uint8 n, n x uint24) for mappings;
uint32 count, then count x uint24 for Full_Composition_Exclusion code points."""
import os
import struct
import zlib

UCD = '/usr/share/unicode'
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'Attend', 'Tokenization', 'Normalizers',
                   'unicode-normalization.bin')


def u24(v):
    return struct.pack('<I', v)[:3]


def ranges(lines):
    for line in lines:
        line = line.split('#')[0].strip()
        if line:
            yield [f.strip() for f in line.split(';')]


classes, mappings = [], []
with open(os.path.join(UCD, 'UnicodeData.txt'), encoding='utf-8') as f:
    for fields in ranges(f):
        cp = int(fields[0], 16)
        if int(fields[3]) != 0:
            classes.append((cp, int(fields[3])))
        if fields[5]:
            parts = fields[5].split()
            compat = parts[0].startswith('<')
            if compat:
                parts = parts[1:]
            mappings.append((cp, 1 if compat else 0, [int(p, 16) for p in parts]))

exclusions = []
with open(os.path.join(UCD, 'DerivedNormalizationProps.txt'), encoding='utf-8') as f:
    for fields in ranges(f):
        if fields[1] == 'Full_Composition_Exclusion':
            lo, _, hi = fields[0].partition('..')
            exclusions.extend(range(int(lo, 16), int(hi or lo, 16) + 1))

blob = bytearray(struct.pack('<I', len(classes)))
for cp, c in classes:
    blob += u24(cp) + bytes([c])
blob += struct.pack('<I', len(mappings))
for cp, compat, parts in mappings:
    blob += u24(cp) + bytes([compat, len(parts)])
    for p in parts:
        blob += u24(p)
blob += struct.pack('<I', len(exclusions))
for cp in exclusions:
    blob += u24(cp)
with open(OUT, 'wb') as f:
    f.write(zlib.compress(bytes(blob), 9)[2:-4])  # raw deflate, as System.IO.Compression.DeflateStream reads it
print(f'{OUT}: {len(classes)} classes, {len(mappings)} mappings, {len(exclusions)} exclusions')
