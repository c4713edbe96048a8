/** What MLContext.lost resolves with; apart from internals.ts, which the package's public types do not reach. */
export interface MLContextLostInfo {
  message: string;
}
