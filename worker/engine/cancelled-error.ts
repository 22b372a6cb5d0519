/** Thrown by `trainModel` when `shouldStop` returns true; the run ends without a result. */
export class CancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CancelledError";
  }
}
