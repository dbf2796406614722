/**
 * Runs the tasks given to it one after another, in the order given: a task starts when the one
 * before it has settled, whether it succeeded or failed.
 */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.last.then(task, task);
    this.last = result.catch(() => undefined);
    return result;
  }
}
