/** Pure-TS scene descriptions and pose types shared by the engine, the agent camera and the 3D view. */
export * from './car-pose.js';
export * from './frames.js';
export * from './lane-scene.js';
export * from './texture.js';
