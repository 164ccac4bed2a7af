#!/usr/bin/python3
"""Read a .zip's names the way Windows Explorer on a Chinese Windows does,
and check what kaohe promises of every .zip it writes.

    zipnames.py [--strict] ZIP [EXPECTED_NAME...]

Explorer takes an entry's name as UTF-8 when flag bit 11 is set, and
otherwise in the system's OEM code page (936 on Chinese Windows), where
UTF-8 bytes come out garbled (使用说明.txt -> 浣跨敤璇存槑.txt).  Prints
the names as Explorer shows them, one a line; exits 1 when an entry with
a non-ASCII name lacks bit 11, or has bit 11 and is not UTF-8, or, when
names are given, the names shown are not exactly those.  --strict also
requires what kaohe's zip writer does (src/archive.c): made by Unix with
Unix permissions, bit 11 on every entry, no extra field, and a real date
(not the DOS epoch 1980-01-01 that a zip of files dated 1970 gets).
"""
import sys
import zipfile

def main(argv):
    strict = '--strict' in argv
    args = [a for a in argv if a != '--strict']
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    bad = []
    shown = []
    with zipfile.ZipFile(args[0]) as z:
        for i in z.infolist():
            utf8 = bool(i.flag_bits & 0x800)
            # zipfile decodes a name without bit 11 as cp437: its bytes back.
            raw = i.filename.encode('utf-8' if utf8 else 'cp437')
            if utf8:
                try:
                    name = raw.decode('utf-8')
                except UnicodeDecodeError:
                    bad.append(f'{raw!r}: bit 11 set but the name is not UTF-8')
                    continue
            else:
                name = raw.decode('gbk', errors='replace')
                if any(b >= 0x80 for b in raw):
                    bad.append(f'{name}: no UTF-8 flag (bit 11), Explorer shows the '
                               f'name in code page 936 (as UTF-8 it is '
                               f'{raw.decode("utf-8", "replace")})')
            shown.append(name)
            if strict:
                if not utf8:
                    bad.append(f'{name}: no UTF-8 flag')
                if i.create_system != 3:
                    bad.append(f'{name}: made by {i.create_system}, not Unix (3)')
                if (i.external_attr >> 16) & 0o170000 not in (0o100000, 0o040000):
                    bad.append(f'{name}: no Unix file mode ({i.external_attr >> 16:o})')
                if i.extra:
                    bad.append(f'{name}: extra field {i.extra[:2].hex()}... '
                               '(unzip escapes UTF-8 names of such entries under LANG=C)')
                if i.date_time[:3] == (1980, 1, 1):
                    bad.append(f'{name}: dated 1980-01-01, not the file\'s date')
    for n in shown:
        print(n)
    if len(args) > 1 and sorted(shown) != sorted(args[1:]):
        bad.append(f'names {sorted(shown)} are not {sorted(args[1:])}')
    for b in bad:
        print('zipnames: ' + b, file=sys.stderr)
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
