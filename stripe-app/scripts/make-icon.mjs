#!/usr/bin/env node
/**
 * Draws the app's 300×300 icon (Stripe requires a PNG of exactly that size): a white speech
 * bubble with three dots, for an interview, on the brand's indigo. No dependencies: pixels are
 * computed here, anti-aliased by 4×4 supersampling, and written as an RGBA PNG with node:zlib.
 *
 *   node stripe-app/scripts/make-icon.mjs   → stripe-app/icon.png
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 300;
const SAMPLES = 4;
const BACKGROUND_TOP = [79, 70, 229];
const BACKGROUND_BOTTOM = [55, 48, 163];
const WHITE = [255, 255, 255];

const insideRoundedRect = (x, y, left, top, right, bottom, radius) => {
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 && x >= left && x <= right && y >= top && y <= bottom;
};

const insideTriangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
  const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
  const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
  const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
  const negative = d1 < 0 || d2 < 0 || d3 < 0;
  const positive = d1 > 0 || d2 > 0 || d3 > 0;
  return !(negative && positive);
};

const DOTS = [105, 150, 195].map((x) => [x, 138]);

/** 1 where the white bubble is drawn at (x, y), 0 elsewhere (the dots cut through it). */
function bubble(x, y) {
  const inBody = insideRoundedRect(x, y, 55, 70, 245, 205, 40);
  const inTail = insideTriangle(x, y, [95, 195], [140, 195], [80, 245]);
  const inDot = DOTS.some(([dx, dy]) => (x - dx) ** 2 + (y - dy) ** 2 <= 15 ** 2);
  return (inBody || inTail) && !inDot ? 1 : 0;
}

function pixel(px, py) {
  let cover = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) cover += bubble(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
  }
  const alpha = cover / SAMPLES ** 2;
  const t = py / (SIZE - 1);
  const background = BACKGROUND_TOP.map((top, i) => top + (BACKGROUND_BOTTOM[i] - top) * t);
  return background.map((channel, i) => Math.round(channel * (1 - alpha) + WHITE[i] * alpha));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function drawIcon() {
  const rows = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4);
    for (let x = 0; x < SIZE; x++) {
      const [r, g, b] = pixel(x, y);
      row.set([r, g, b, 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../icon.png', import.meta.url));
  writeFileSync(target, drawIcon());
  process.stdout.write(`wrote ${target}\n`);
}
