/** Constants shared by the driver camera's modules: sample kinds, table layouts, texture tiles. */

export const SKY = 0;
export const NEAR = 1;
export const FAR = 2;
/** A corner between two corners of its row, to be interpolated from them (castCorners only). */
export const PENDING = 3;
/** Ground hits farther than this (m) are treated as far grass (fully fogged in practice). */
export const MAX_DEPTH = 3000;
export const TILE = 64;
export const TILE_MASK = TILE - 1;

/** Marking rows in the flat marking table. */
export const MK_LO = 0;
export const MK_HI = 1;
export const MK_R = 2;
export const MK_G = 3;
export const MK_B = 4;
export const MK_DLEN = 5; // 0 = solid
export const MK_DPER = 6;
export const MK_DPH = 7;
export const MK_DINV = 8; // 1 / period
export const MK_STRIDE = 9;

/** Sky gradient: elevation sine at which the sky reaches its zenith colour, and the table size. */
export const SKY_TOP = 0.6;
export const SKY_LUT = 128;

/** Width (m) of the d-cells of the stripe lookup. */
export const STRIPE_CELL = 0.25;
export const STRIPE_INV = 1 / STRIPE_CELL;

export const PROP_KIND: Record<string, number> = { tree: 0, bush: 1, pole: 2, post: 3, sign: 4 };
export const PROP_STRIDE = 12; // s, x, y, height, radius, kind, r, g, b, r2, g2, b2

/**
 * byte * INV255 rounds to the same float32 as byte / 255 for every byte (checked for all 256;
 * the pixel-observation test compares every value): a multiply instead of a table load.
 */
export const INV255 = 1 / 255;

/** byte -> byte / 255 as float32 (exact by construction). */
export const UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);
