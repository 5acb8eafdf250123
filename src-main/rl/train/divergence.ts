/** Thrown inside the training loop when a loss or weight is no longer finite: the trainer rolls back to its last checkpoint. */
export class DivergenceError extends Error {}
