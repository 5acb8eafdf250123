/** Camera pixels as the envs write them: a byte b stands for the float32 value b / 255. */

/** byte -> the float32 pixel value byte / 255 an env writes (exactly: float32(b * (1 / 255))). */
export const BYTE_TO_UNIT: Float32Array = Float32Array.from({ length: 256 }, (_, b) => b * (1 / 255));
