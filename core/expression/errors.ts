/** A refused or failed expression. `position` is the zero-based character offset in the source, when known. */
export class ExpressionError extends Error {
  readonly position: number | undefined;

  constructor(message: string, position?: number) {
    super(position === undefined ? message : `${message} (at position ${position})`);
    this.name = 'ExpressionError';
    this.position = position;
  }
}
