// make-xls-sheetjs.js - the SheetJS part of the .xls differential corpus
// (tests/tools/make-xls-corpus.py writes OUTDIR/sheetjs.json).  Each
// workbook is written by SheetJS (npm "xlsx") as OUTDIR/sheetjs/NAME.xls,
// BIFF8 or BIFF5, and as its twin OUTDIR/sheetjs-twin/NAME.xlsx.
//
// SheetJS 0.18 writes BIFF5 text in code page 1252 only (other characters
// become "_", and its CODEPAGE record always says 1252).  For BIFF5 in
// code page 936 (GBK) a copy of its writer is used with two lines changed:
// strings handed over already GBK-encoded (one byte a character) pass
// through (other characters, those of its own built-in formats, still
// become "_"), and the CODEPAGE record says 936.  The records are SheetJS's
// own; the encoding is done by SheetJS's own code page tables (npm
// "codepage").
//
// Usage: node make-xls-sheetjs.js OUTDIR NODE_MODULES
'use strict';
const fs = require('fs');
const path = require('path');
const [out, mods] = process.argv.slice(2).map((p) => path.resolve(p));
const orig = path.join(mods, 'xlsx', 'xlsx.js');
const patched = path.join(mods, 'xlsx', 'xlsx-kaohe-cp936.js');
let src = fs.readFileSync(orig, 'utf8');
const a = 'val = val.replace(/[^\\x00-\\x7F]/g, "_");';
const b = 'writeuint16(b8 ? 0x04b0 : 0x04E4)';
if (!src.includes(a) || !src.includes(b)) throw new Error('SheetJS writer not as expected');
src = src.replace(a, 'if(globalThis.__khRaw) val = val.replace(/[^\\x00-\\xFF]/g, "_"); else ' + a).replace(b, 'writeuint16(b8 ? 0x04b0 : (globalThis.__khCp || 0x04E4))');
fs.writeFileSync(patched, src);
const XLSX = require(orig);
const X936 = require(patched);
const cptable = require(path.join(mods, 'codepage'));

function gbk(s) {
    return String.fromCharCode(...cptable.utils.encode(936, s));
}

function serial(iso) {
    const [y, m, d] = iso.split('-').map(Number);
    return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86400000);
}

const ERR = {'#DIV/0!': 0x07, '#N/A': 0x2a};

function cellOf(c, enc) {
    switch (c.t) {
    case 's': return {t: 's', v: enc(c.v)};
    case 'n': return {t: 'n', v: c.v};
    case 'b': return {t: 'b', v: c.v};
    case 'd': return {t: 'n', v: serial(c.v), z: 'yyyy-mm-dd'};
    case 'f':
        switch (c.vt) {
        case 'n': return {t: 'n', v: c.v, f: c.f};
        case 'd': return {t: 'n', v: serial(c.v), z: 'yyyy-mm-dd', f: c.f};
        case 's': return {t: 's', v: enc(c.v), f: c.f};
        case 'b': return {t: 'b', v: c.v, f: c.f};
        default: return {t: 'e', v: ERR[c.v], f: c.f};
        }
    }
    throw new Error('cell ' + JSON.stringify(c));
}

function workbook(lib, book, enc) {
    const wb = lib.utils.book_new();
    for (const sh of book.sheets) {
        const ws = {};
        let maxr = 0, maxc = 0;
        sh.rows.forEach((row, r) => row.forEach((c, k) => {
            if (!c) return;
            ws[lib.utils.encode_cell({r, c: k})] = cellOf(c, enc);
            maxr = Math.max(maxr, r);
            maxc = Math.max(maxc, k);
        }));
        ws['!ref'] = lib.utils.encode_range({s: {r: 0, c: 0}, e: {r: maxr, c: maxc}});
        lib.utils.book_append_sheet(wb, ws, enc(sh.name));
        if (sh.hidden) {
            wb.Workbook = wb.Workbook || {Sheets: []};
            wb.Workbook.Sheets = wb.SheetNames.map((n, i) => (wb.Workbook.Sheets[i] || {name: n}));
            wb.Workbook.Sheets[wb.SheetNames.length - 1].Hidden = 1;
        }
    }
    return wb;
}

const books = JSON.parse(fs.readFileSync(path.join(out, 'sheetjs.json'), 'utf8'));
fs.mkdirSync(path.join(out, 'sheetjs'), {recursive: true});
fs.mkdirSync(path.join(out, 'sheetjs-twin'), {recursive: true});
for (const book of books) {
    const same = (s) => s;
    XLSX.writeFile(workbook(XLSX, book, same), path.join(out, 'sheetjs-twin', book.name + '.xlsx'),
                   {bookType: 'xlsx'});
    if (book.type === 'biff8') {
        XLSX.writeFile(workbook(XLSX, book, same), path.join(out, 'sheetjs', book.name + '.xls'),
                       {bookType: 'biff8'});
    } else {
        globalThis.__khRaw = true;
        globalThis.__khCp = 936;
        X936.writeFile(workbook(X936, book, gbk), path.join(out, 'sheetjs', book.name + '.xls'),
                       {bookType: 'biff5'});
        globalThis.__khRaw = false;
        globalThis.__khCp = 0;
    }
}
