/** Camera frames to PNG files (pngjs), optionally enlarged with nearest-neighbour pixels, and tiled into grids. */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** PNG bytes of an RGB image (width * height * 3 bytes), each pixel drawn as scale x scale. */
export function encodePng(rgb: Uint8Array, width: number, height: number, scale = 1): Buffer {
  if (rgb.length !== width * height * 3) throw new Error(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const W = width * scale;
  const H = height * scale;
  const png = new PNG({ width: W, height: H });
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) {
      const si = (sy * width + Math.floor(x / scale)) * 3;
      const di = (y * W + x) * 4;
      png.data[di] = rgb[si]!;
      png.data[di + 1] = rgb[si + 1]!;
      png.data[di + 2] = rgb[si + 2]!;
      png.data[di + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

export function writePng(path: string, rgb: Uint8Array, width: number, height: number, scale = 1): void {
  writeFileSync(path, encodePng(rgb, width, height, scale));
}

/** Tiles equally sized RGB frames into one image, `columns` per row, with a 1-pixel dark gap. */
export function tileFrames(frames: readonly Uint8Array[], width: number, height: number, columns: number): { rgb: Uint8Array; width: number; height: number } {
  const rows = Math.ceil(frames.length / columns);
  const W = columns * (width + 1) - 1;
  const H = rows * (height + 1) - 1;
  const out = new Uint8Array(W * H * 3).fill(20);
  frames.forEach((f, k) => {
    const ox = (k % columns) * (width + 1);
    const oy = Math.floor(k / columns) * (height + 1);
    for (let y = 0; y < height; y++) out.set(f.subarray(y * width * 3, (y + 1) * width * 3), ((oy + y) * W + ox) * 3);
  });
  return { rgb: out, width: W, height: H };
}
