/** A value that does not match its declared format. The message names the value and the format. */
export class ParseError extends Error {
  constructor(
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${JSON.stringify(value)} is not ${expected}`);
    this.name = 'ParseError';
  }
}
