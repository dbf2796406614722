/** Missed answers, with the unit answering meanwhile, after which a link stops pipelining. */
export const MISSED_ANSWERS_BEFORE_NO_PIPELINING = 2;

/**
 * Notices a Modbus TCP server that cannot pipeline: it answers the first of several
 * outstanding requests and drops the others. The evidence is a request that timed out
 * although it was sent while others were outstanding and its unit answered another request
 * in the meantime — the unit is alive, only that request was lost. A request that times out
 * while alone clears the evidence: that unit misses answers anyway (dead, overloaded), and
 * one request at a time would not help it.
 */
export class PipeliningCheck {
  private readonly lastAnswerAt = new Map<number, number>();
  private missed = 0;

  /** An answer (data or an exception) for `unitId` arrived at `at` (performance.now()). */
  answered(unitId: number, at: number): void {
    this.lastAnswerAt.set(unitId, at);
  }

  /**
   * A request for `unitId`, sent at `sentAt` with `inFlight` requests outstanding (itself
   * included), timed out. Returns whether the timeout counts as a lost pipelined request.
   */
  timedOut(unitId: number, sentAt: number, inFlight: number): boolean {
    if (inFlight <= 1) {
      this.missed = 0;
      return false;
    }
    if ((this.lastAnswerAt.get(unitId) ?? Number.NEGATIVE_INFINITY) <= sentAt) return false;
    this.missed++;
    return true;
  }

  /** Enough evidence that the server answers only one request at a time. */
  get cannotPipeline(): boolean {
    return this.missed >= MISSED_ANSWERS_BEFORE_NO_PIPELINING;
  }
}
