#!/usr/bin/env python3
"""Draws the example site's raster images: img/hero.png, img/points-2026.png, favicon.ico.

Plain Python and zlib, no imaging library, and seeded, so the same bytes come out on every
machine. Run from anywhere: python3 examples/tools/make-images.py
"""
import math
import os
import random
import struct
import zlib

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "site")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filtered(line, prior):
    """The row under each PNG filter type; the one with the smallest sum of magnitudes wins
    (the heuristic libpng uses), which is what makes gradients compress."""
    n = len(line)
    left = [0, 0, 0] + list(line[:-3])
    up = prior
    upleft = [0, 0, 0] + list(prior[:-3])
    candidates = [
        bytes(line),
        bytes((line[i] - left[i]) & 0xFF for i in range(n)),
        bytes((line[i] - up[i]) & 0xFF for i in range(n)),
        bytes((line[i] - ((left[i] + up[i]) >> 1)) & 0xFF for i in range(n)),
        bytes((line[i] - paeth(left[i], up[i], upleft[i])) & 0xFF for i in range(n)),
    ]
    cost = [sum(v if v < 128 else 256 - v for v in c) for c in candidates]
    best = cost.index(min(cost))
    return bytes([best]) + candidates[best]


def png(width, height, rows):
    """A truecolour PNG from rows of (r, g, b) tuples."""
    raw = bytearray()
    prior = bytes(width * 3)
    for row in rows:
        line = bytes(v for r, g, b in row for v in (clamp(r), clamp(g), clamp(b)))
        raw += filtered(line, prior)
        prior = line

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def clamp(v):
    return 0 if v < 0 else 255 if v > 255 else int(v)


def mix(a, b, t):
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(3))


def hero():
    """Dusk over the strip: sky, tree line, two lanes running to the horizon, the tree lit green."""
    w, h = 1200, 420
    rnd = random.Random(1320)
    horizon = 250
    vx = 760  # vanishing point
    top, middle, low = (22, 28, 58), (120, 62, 92), (246, 140, 60)
    trees = [horizon - 18 - 22 * abs(math.sin(x / 37.0)) * abs(math.cos(x / 91.0)) for x in range(w)]
    rows = []
    for y in range(h):
        row = []
        for x in range(w):
            if y < horizon:
                t = y / horizon
                c = mix(top, middle, t / 0.6) if t < 0.6 else mix(middle, low, (t - 0.6) / 0.4)
                # Sun low behind the trees.
                d = math.hypot(x - 300, y - horizon + 10)
                if d < 140:
                    c = mix(c, (255, 214, 120), (1 - d / 140) ** 2)
                if y > trees[x]:
                    c = (18, 26, 22)
            else:
                # Ground: the strip is the wedge between two lines from the vanishing point.
                depth = (y - horizon) / (h - horizon)
                half = 18 + depth * 520
                left, right = vx - half, vx + half
                if left <= x <= right:
                    c = (44, 46, 50)
                    u = (x - left) / (right - left)
                    if abs(u - 0.5) < 0.004 + depth * 0.004 and int(depth * 40) % 2 == 0:
                        c = (242, 195, 0)
                    # Rubber laid down in each groove.
                    for groove in (0.25, 0.75):
                        if abs(u - groove) < 0.05:
                            c = mix(c, (20, 20, 22), 0.6 * (1 - abs(u - groove) / 0.05))
                elif left - 10 - depth * 30 <= x < left or right < x <= right + 10 + depth * 30:
                    c = (214, 214, 208)  # guard walls
                else:
                    c = mix((58, 82, 44), (88, 118, 60), depth)
            # Grain on the ground only: asphalt and grass have texture, the sky does not.
            g = rnd.randint(-3, 3) if y >= horizon else 0
            row.append((clamp(c[0] + g), clamp(c[1] + g), clamp(c[2] + g)))
        rows.append(row)
    # The Christmas tree at the line: a post and a green bulb.
    for y in range(300, 392):
        for x in range(742, 750):
            rows[y][x] = (30, 30, 30)
    for y in range(250, 314):
        for x in range(714, 778):
            d = math.hypot(x - 746, y - 282)
            if d < 16:
                rows[y][x] = mix((40, 235, 110), (200, 255, 210), max(0.0, 1 - d / 6))
            elif d < 30:
                rows[y][x] = mix(rows[y][x], (40, 235, 110), (1 - (d - 16) / 14) * 0.5)
    return png(w, h, rows)


# 5x7 glyphs for the chart labels, one string of 7 rows of 5 bits per glyph.
FONT = {
    "0": "01110100011001110101110011000101110", "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111", "3": "11111000100010000010000011000101110",
    "4": "00010001100101010010111110001000010", "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110", "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110", "9": "01110100011000101111000010001001100",
    " ": "0" * 35, ".": "00000000000000000000000000110001100", "-": "00000000000111000000000000000000000",
}
for letter, bits in {
    "A": "01110100011000111111100011000110001", "B": "11110100011000111110100011000111110",
    "C": "01110100011000010000100001000101110", "D": "11100100101000110001100011001011100",
    "E": "11111100001000011110100001000011111", "G": "01110100011000010111100011000101111",
    "H": "10001100011000111111100011000110001", "I": "01110001000010000100001000010001110",
    "K": "10001100101010011000101001001010001", "L": "10000100001000010000100001000011111",
    "M": "10001110111010110101100011000110001", "N": "10001100011100110101100111000110001",
    "O": "01110100011000110001100011000101110", "P": "11110100011000111110100001000010000",
    "R": "11110100011000111110101001001010001", "S": "01111100001000001110000010000111110",
    "T": "11111001000010000100001000010000100", "U": "10001100011000110001100011000101110",
    "V": "10001100011000110001100010101000100", "W": "10001100011000110101101011101110001",
    "Y": "10001100010101000100001000010000100", "F": "11111100001000011110100001000010000",
    "J": "00111000100001000010000101001001100", "Q": "01110100011000110001101011001001101", "Z": "11111000010001000100010001000011111",
}.items():
    FONT[letter] = bits


def text(canvas, x, y, s, colour, scale=2):
    for ch in s.upper():
        bits = FONT.get(ch, FONT[" "])
        for i, bit in enumerate(bits):
            if bit == "1":
                gx, gy = i % 5, i // 5
                for dy in range(scale):
                    for dx in range(scale):
                        px, py = x + gx * scale + dx, y + gy * scale + dy
                        if 0 <= py < len(canvas) and 0 <= px < len(canvas[0]):
                            canvas[py][px] = colour
        x += 6 * scale


def points_chart():
    """Top ten of the 2026 Pro ET points, as on results/index.html."""
    standings = [
        ("D. OKAFOR", 1184), ("M. LINDQVIST", 1122), ("R. DELGADO", 1090), ("T. BRANNIGAN", 1041),
        ("S. NAKAMURA", 998), ("J. WHITFIELD", 965), ("A. KOWALSKI", 931), ("L. MBEKI", 904),
        ("C. HOLLOWAY", 872), ("P. ESTRADA", 850),
    ]
    w, h = 760, 400
    bg, ink, bar, accent = (251, 250, 247), (29, 31, 34), (232, 80, 27), (242, 195, 0)
    canvas = [[bg] * w for _ in range(h)]
    text(canvas, 20, 14, "2026 PRO ET POINTS - TOP 10", ink, 3)
    left, top, row_h, width = 190, 56, 32, 500
    best = standings[0][1]
    for i, (name, pts) in enumerate(standings):
        y = top + i * row_h
        text(canvas, 16, y + 8, name, ink, 2)
        length = int(width * pts / 1200)
        colour = accent if pts == best else bar
        for yy in range(y + 4, y + row_h - 6):
            for xx in range(left, left + length):
                shade = 0.85 + 0.15 * (yy - y) / row_h
                canvas[yy][xx] = tuple(clamp(c * shade) for c in colour)
        text(canvas, left + length + 8, y + 8, str(pts), ink, 2)
    for yy in range(top - 4, top + 10 * row_h):
        canvas[yy][left - 1] = ink
    return png(w, h, canvas)


def favicon_pixels(size):
    dark, white, flame, line = (29, 31, 34), (255, 255, 255), (232, 80, 27), (242, 195, 0)
    s = size / 32.0
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            fx, fy = (x + 0.5) / s, (y + 0.5) / s
            c = dark
            if 4 <= fy < 16 and 4 <= fx < 28 and (int((fx - 4) // 6) + int((fy - 4) // 6)) % 2 == 0:
                c = white
            # The strip: a trapezoid from (15,16)-(17,16) down to (11,28)-(21,28).
            if 16 <= fy < 28:
                t = (fy - 16) / 12
                if 15 - 4 * t <= fx <= 17 + 4 * t:
                    c = line if abs(fx - 16) < 0.6 and int(fy) % 4 < 2 else flame
            row.append(c)
        rows.append(row)
    return rows


def favicon():
    """An ICO holding 16x16 and 32x32 PNG images (PNG entries are valid in ICO since Vista)."""
    images = [(size, png(size, size, favicon_pixels(size))) for size in (16, 32)]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, data = b"", b""
    for size, image in images:
        entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset + len(data))
        data += image
    return header + entries + data


def main():
    outputs = {
        os.path.join("img", "hero.png"): hero(),
        os.path.join("img", "points-2026.png"): points_chart(),
        "favicon.ico": favicon(),
    }
    for name, content in outputs.items():
        path = os.path.join(SITE, name)
        with open(path, "wb") as f:
            f.write(content)
        print(f"{name}: {len(content)} bytes")


if __name__ == "__main__":
    main()
