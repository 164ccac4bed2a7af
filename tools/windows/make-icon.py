#!/usr/bin/python3
"""Write kaohe.exe's icon: a white tick on a blue rounded square, drawn
here pixel by pixel at 16, 32, 48 and 64 pixels (no image files, no
image library).  Usage: make-icon.py OUT.ico"""
import struct
import sys


def pixels(n):
    """Rows top to bottom of (b, g, r, a)."""
    rows = []
    r = n * 0.18  # corner radius
    for y in range(n):
        row = []
        for x in range(n):
            cx, cy = x + 0.5, y + 0.5
            # inside the rounded square?
            dx = max(r - cx, 0, cx - (n - r))
            dy = max(r - cy, 0, cy - (n - r))
            inside = dx * dx + dy * dy <= r * r
            if not inside:
                row.append((0, 0, 0, 0))
                continue
            # the tick: two strokes, (0.22,0.52)-(0.42,0.72) and (0.42,0.72)-(0.78,0.30)
            u, v = cx / n, cy / n
            w = 0.075
            def near(x1, y1, x2, y2):
                px, py = x2 - x1, y2 - y1
                t = max(0, min(1, ((u - x1) * px + (v - y1) * py) / (px * px + py * py)))
                qx, qy = x1 + t * px - u, y1 + t * py - v
                return qx * qx + qy * qy <= w * w
            if near(0.22, 0.52, 0.42, 0.72) or near(0.42, 0.72, 0.78, 0.30):
                row.append((255, 255, 255, 255))
            else:
                row.append((0xC0, 0x6A, 0x1F, 255))  # blue #1F6AC0
        rows.append(row)
    return rows


def dib(n):
    rows = pixels(n)
    head = struct.pack('<IiiHHIIiiII', 40, n, 2 * n, 1, 32, 0, 0, 0, 0, 0, 0)
    xor = b''.join(bytes(c for p in row for c in p) for row in reversed(rows))
    stride = ((n + 31) // 32) * 4
    mask = b''
    for row in reversed(rows):
        bits = bytearray(stride)
        for x, p in enumerate(row):
            if p[3] == 0:
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bytes(bits)
    return head + xor + mask


def main(out):
    sizes = [16, 32, 48, 64]
    images = [dib(n) for n in sizes]
    data = struct.pack('<HHH', 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    for n, img in zip(sizes, images):
        data += struct.pack('<BBBBHHII', n, n, 0, 0, 1, 32, len(img), offset)
        offset += len(img)
    data += b''.join(images)
    with open(out, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main(sys.argv[1])
